use kefu_plugin_sdk::widget::exports::kefu::plugin::widget::{Cell, Table};

use super::*;

fn row(channel: &str, created: i64) -> Vec<Cell> {
    vec![Cell::Text(channel.to_string()), Cell::Integer(created)]
}

fn dataset(rows: Vec<Vec<Cell>>) -> Vec<Dataset> {
    vec![Dataset {
        name: DATASET.to_string(),
        table: Table {
            columns: ["channel", "created"].map(String::from).to_vec(),
            rows,
        },
    }]
}

#[test]
fn describe_takes_period_only() {
    let description = description();
    assert_eq!(description.datasets, ["tickets-by-channel"]);
    assert_eq!(description.parameters.len(), 1);
    assert_eq!(description.parameters[0].name, "period");
}

#[test]
fn channels_with_tickets_become_slices() {
    let datasets = dataset(vec![row("chat", 3), row("email", 0), row("phone", 5)]);
    let view = render(&[], &datasets).unwrap();
    let View::Chart(chart) = view else {
        panic!("expected a chart: {view:?}");
    };
    assert_eq!(chart.kind, ChartKind::Pie);
    assert_eq!(chart.title, "Tickets created by channel");
    assert_eq!(chart.categories, ["chat", "phone"]);
    assert_eq!(chart.series.len(), 1);
    assert_eq!(chart.series[0].name, "Created");
    assert_eq!(chart.series[0].values, [3.0, 5.0]);
}

#[test]
fn no_tickets_gives_empty_table() {
    let view = render(&[], &dataset(vec![row("email", 0)])).unwrap();
    let View::Table(table) = view else {
        panic!("expected a table: {view:?}");
    };
    assert_eq!(table.columns, ["channel", "created"]);
    assert!(table.rows.is_empty());
}

#[test]
fn bad_input_rejected() {
    let error = render(&[], &dataset(vec![row("chat", -2)])).unwrap_err();
    assert!(error.contains("created must be a whole number"), "{error}");
    let error = render(&[], &[]).unwrap_err();
    assert!(error.contains("\"tickets-by-channel\""), "{error}");
}
