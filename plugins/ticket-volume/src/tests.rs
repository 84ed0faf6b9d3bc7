use kefu_plugin_sdk::widget::exports::kefu::plugin::widget::{Cell, ParameterKind, Table};

use super::*;

fn parameter(name: &str, value: &str) -> ParameterValue {
    ParameterValue {
        name: name.to_string(),
        value: value.to_string(),
    }
}

fn row(key: &str, created: i64, resolved: i64) -> Vec<Cell> {
    vec![
        Cell::Text(key.to_string()),
        Cell::Integer(created),
        Cell::Integer(resolved),
    ]
}

fn dataset(rows: Vec<Vec<Cell>>) -> Vec<Dataset> {
    vec![Dataset {
        name: DATASET.to_string(),
        table: Table {
            columns: ["key", "created", "resolved"].map(String::from).to_vec(),
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
fn describe_takes_period_and_dimension() {
    let description = description();
    assert_eq!(description.title, "Tickets created and resolved");
    assert_eq!(description.datasets, [DATASET]);
    let names: Vec<&str> = description
        .parameters
        .iter()
        .map(|parameter| parameter.name.as_str())
        .collect();
    assert_eq!(names, ["period", "dimension"]);
    assert!(matches!(
        description.parameters[1].kind,
        ParameterKind::Choice(_)
    ));
}

#[test]
fn rows_become_bar_pairs_in_order() {
    let datasets = dataset(vec![row("王芳", 5, 3), row("(unassigned)", 2, 0)]);
    let parameters = [
        parameter("period", "2026-11"),
        parameter("dimension", "agent"),
    ];
    let chart = chart(render(&parameters, &datasets).unwrap());
    assert_eq!(chart.kind, ChartKind::Bar);
    assert_eq!(chart.title, "Tickets created and resolved by agent");
    assert_eq!(chart.categories, ["王芳", "(unassigned)"]);
    assert_eq!(chart.series.len(), 2);
    assert_eq!(chart.series[0].name, "Created");
    assert_eq!(chart.series[0].values, [5.0, 2.0]);
    assert_eq!(chart.series[1].name, "Resolved");
    assert_eq!(chart.series[1].values, [3.0, 0.0]);
    assert_eq!(chart.y_label, "Tickets");
}

#[test]
fn title_names_chosen_dimension() {
    let datasets = dataset(vec![row("email", 1, 1)]);
    let chart = chart(render(&[parameter("dimension", "channel")], &datasets).unwrap());
    assert_eq!(chart.title, "Tickets created and resolved by channel");
}

#[test]
fn no_rows_gives_empty_table() {
    let view = render(&[], &dataset(Vec::new())).unwrap();
    let View::Table(table) = view else {
        panic!("expected a table: {view:?}");
    };
    assert_eq!(table.columns, ["key", "created", "resolved"]);
    assert!(table.rows.is_empty());
}

#[test]
fn bad_input_rejected() {
    let datasets = dataset(vec![row("email", 1, 1)]);
    let error = render(&[parameter("dimension", "week")], &datasets).unwrap_err();
    assert!(error.contains("\"week\""), "{error}");
    let error = render(&[parameter("days", "3")], &datasets).unwrap_err();
    assert!(error.contains("\"days\""), "{error}");
    let error = render(&[], &[]).unwrap_err();
    assert!(error.contains("\"ticket-volume\""), "{error}");
    let error = render(&[], &dataset(vec![row("email", -1, 0)])).unwrap_err();
    assert!(error.starts_with("Row 1 of"), "{error}");
    assert!(error.contains("created must be a whole number"), "{error}");
}
