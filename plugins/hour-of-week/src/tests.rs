use kefu_plugin_sdk::widget::exports::kefu::plugin::widget::{Cell, Table};

use super::*;

fn row(weekday: &str, hour: i64, tickets: i64) -> Vec<Cell> {
    vec![
        Cell::Text(weekday.to_string()),
        Cell::Integer(hour),
        Cell::Integer(tickets),
    ]
}

fn dataset(rows: Vec<Vec<Cell>>) -> Vec<Dataset> {
    vec![Dataset {
        name: DATASET.to_string(),
        table: Table {
            columns: ["weekday", "hour", "tickets"].map(String::from).to_vec(),
            rows,
        },
    }]
}

fn chart(view: View) -> Chart {
    match view {
        View::Chart(chart) => chart,
        View::Table(table) => panic!("expected a chart, got a table: {table:?}"),
    }
}

#[test]
fn describe_takes_period_only() {
    let description = description();
    assert_eq!(description.datasets, ["hour-of-week"]);
    assert_eq!(description.parameters.len(), 1);
    assert_eq!(description.parameters[0].name, "period");
}

#[test]
fn rows_fill_weekday_by_hour_grid() {
    let datasets = dataset(vec![row("Mon", 9, 2), row("Sun", 23, 1), row("Wed", 0, 4)]);
    let chart = chart(render(&[], &datasets).unwrap());
    assert_eq!(chart.kind, ChartKind::Heatmap);
    assert_eq!(chart.categories.len(), 24);
    assert_eq!(chart.categories[0], "00");
    assert_eq!(chart.categories[9], "09");
    assert_eq!(chart.categories[23], "23");
    let names: Vec<&str> = chart
        .series
        .iter()
        .map(|series| series.name.as_str())
        .collect();
    assert_eq!(names, WEEKDAYS);
    assert_eq!(chart.series[0].values[9], 2.0);
    assert_eq!(chart.series[6].values[23], 1.0);
    assert_eq!(chart.series[2].values[0], 4.0);
    let total: f64 = chart.series.iter().flat_map(|series| &series.values).sum();
    assert_eq!(total, 7.0);
    assert_eq!(chart.x_label, "Hour of the day");
}

#[test]
fn no_tickets_gives_empty_table() {
    for rows in [Vec::new(), vec![row("Tue", 3, 0)]] {
        let view = render(&[], &dataset(rows)).unwrap();
        let View::Table(table) = view else {
            panic!("expected a table: {view:?}");
        };
        assert_eq!(table.columns, ["weekday", "hour", "tickets"]);
    }
}

#[test]
fn bad_rows_rejected() {
    let error = render(&[], &dataset(vec![row("Monday", 1, 1)])).unwrap_err();
    assert_eq!(
        error,
        "Row 1 of the \"hour-of-week\" dataset: weekday must be one of Mon, Tue, Wed, Thu, \
         Fri, Sat, Sun, not \"Monday\"."
    );
    let error = render(&[], &dataset(vec![row("Mon", 24, 1)])).unwrap_err();
    assert!(
        error.contains("hour must be from 0 to 23, not 24"),
        "{error}"
    );
    let error = render(&[], &dataset(vec![row("Mon", 2, -1)])).unwrap_err();
    assert!(error.contains("tickets must be a whole number"), "{error}");
}
