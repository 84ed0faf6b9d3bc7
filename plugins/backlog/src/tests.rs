use kefu_plugin_sdk::widget::exports::kefu::plugin::widget::{Cell, Table};

use super::*;

fn row(bucket: &str, open: i64) -> Vec<Cell> {
    vec![Cell::Text(bucket.to_string()), Cell::Integer(open)]
}

fn dataset(rows: Vec<Vec<Cell>>) -> Vec<Dataset> {
    vec![Dataset {
        name: DATASET.to_string(),
        table: Table {
            columns: ["bucket", "open"].map(String::from).to_vec(),
            rows,
        },
    }]
}

#[test]
fn describe_takes_period_only() {
    let description = description();
    assert_eq!(description.title, "Open tickets (backlog)");
    assert_eq!(description.datasets, [DATASET]);
    assert_eq!(description.parameters.len(), 1);
    assert_eq!(description.parameters[0].name, "period");
}

#[test]
fn buckets_become_line_points() {
    let datasets = dataset(vec![
        row("2026-W44", 0),
        row("2026-W45", 4),
        row("2026-W46", 2),
    ]);
    let view = render(&[], &datasets).unwrap();
    let View::Chart(chart) = view else {
        panic!("expected a chart: {view:?}");
    };
    assert_eq!(chart.kind, ChartKind::Line);
    assert_eq!(chart.categories, ["2026-W44", "2026-W45", "2026-W46"]);
    assert_eq!(chart.series.len(), 1);
    assert_eq!(chart.series[0].name, "Open");
    assert_eq!(chart.series[0].values, [0.0, 4.0, 2.0]);
}

#[test]
fn nothing_open_gives_empty_table() {
    for rows in [Vec::new(), vec![row("2026-11-01", 0), row("2026-11-02", 0)]] {
        let view = render(&[], &dataset(rows)).unwrap();
        let View::Table(table) = view else {
            panic!("expected a table: {view:?}");
        };
        assert_eq!(table.columns, ["bucket", "open"]);
        assert!(table.rows.is_empty());
    }
}

#[test]
fn bad_input_rejected() {
    let parameter = ParameterValue {
        name: "dimension".to_string(),
        value: "agent".to_string(),
    };
    let error = render(&[parameter], &dataset(Vec::new())).unwrap_err();
    assert!(error.contains("\"dimension\""), "{error}");
    let error = render(&[], &dataset(vec![vec![Cell::Empty, Cell::Integer(1)]])).unwrap_err();
    assert!(error.contains("bucket must be text"), "{error}");
}
