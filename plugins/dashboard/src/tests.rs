use super::*;

fn parameter(name: &str, value: &str) -> ParameterValue {
    ParameterValue {
        name: name.to_string(),
        value: value.to_string(),
    }
}

fn dataset(rows: Vec<Vec<Cell>>) -> Vec<Dataset> {
    vec![Dataset {
        name: "ticket-volume".to_string(),
        table: Table {
            columns: ["key", "created"].map(String::from).to_vec(),
            rows,
        },
    }]
}

#[test]
fn dimension_defaults_to_agent() {
    assert_eq!(dimension(&[]).unwrap(), "agent");
    assert_eq!(dimension(&[parameter("period", "2026")]).unwrap(), "agent");
}

#[test]
fn dimension_read_case_insensitively() {
    assert_eq!(
        dimension(&[parameter("dimension", " Tier ")]).unwrap(),
        "tier"
    );
}

#[test]
fn bad_dimension_rejected() {
    let error = dimension(&[parameter("dimension", "month")]).unwrap_err();
    assert_eq!(
        error,
        "The dimension parameter must be one of agent, type, tier, channel, not \"month\"."
    );
}

#[test]
fn unknown_parameter_rejected() {
    let parameters = [parameter("period", "2026"), parameter("days", "3")];
    let error = check_parameter_names(&parameters, &[PERIOD]).unwrap_err();
    assert_eq!(
        error,
        "The widget has no parameter \"days\"; its parameters are period."
    );
    assert!(check_parameter_names(&parameters[..1], &[PERIOD]).is_ok());
}

#[test]
fn parameters_describe_dashboard_values() {
    let period = period_parameter();
    assert_eq!(period.name, "period");
    assert_eq!(period.kind, ParameterKind::Text);
    assert_eq!(period.default_value, "");
    let dimension = dimension_parameter();
    assert_eq!(dimension.name, "dimension");
    assert_eq!(
        dimension.kind,
        ParameterKind::Choice(DIMENSIONS.map(String::from).to_vec())
    );
    assert_eq!(dimension.default_value, "agent");
}

#[test]
fn cells_read_by_column_name() {
    let datasets = dataset(vec![vec![Cell::Text("email".into()), Cell::Integer(4)]]);
    let reader = DatasetReader::find(&datasets, "ticket-volume").unwrap();
    let (key, created) = (
        reader.column("key").unwrap(),
        reader.column("created").unwrap(),
    );
    assert_eq!(reader.len(), 1);
    assert_eq!(reader.text(0, key).unwrap(), "email");
    assert_eq!(reader.count(0, created).unwrap(), 4);
}

#[test]
fn missing_dataset_and_column_named() {
    let datasets = dataset(Vec::new());
    let error = DatasetReader::find(&datasets, "backlog").err().unwrap();
    assert_eq!(
        error,
        "The host passed no \"backlog\" dataset to the widget."
    );
    let reader = DatasetReader::find(&datasets, "ticket-volume").unwrap();
    let error = reader.column("resolved").unwrap_err();
    assert!(error.contains("no \"resolved\" column"), "{error}");
}

#[test]
fn bad_cells_name_row_and_column() {
    let datasets = dataset(vec![
        vec![Cell::Text("email".into()), Cell::Integer(1)],
        vec![Cell::Integer(3), Cell::Integer(-1)],
        vec![Cell::Text("chat".into())],
    ]);
    let reader = DatasetReader::find(&datasets, "ticket-volume").unwrap();
    let error = reader.text(1, 0).unwrap_err();
    assert_eq!(
        error,
        "Row 2 of the \"ticket-volume\" dataset: key must be text, not 3."
    );
    let error = reader.count(1, 1).unwrap_err();
    assert_eq!(
        error,
        "Row 2 of the \"ticket-volume\" dataset: created must be a whole number of at least \
         0, not -1."
    );
    let text = vec![vec![Cell::Text("x".into()), Cell::Text("many".into())]];
    let datasets_with_text = dataset(text);
    let reader_with_text = DatasetReader::find(&datasets_with_text, "ticket-volume").unwrap();
    let error = reader_with_text.count(0, 1).unwrap_err();
    assert!(error.ends_with("not text \"many\"."), "{error}");
    let error = reader.count(2, 1).unwrap_err();
    assert!(error.ends_with("not an empty cell."), "{error}");
}

#[test]
fn empty_view_keeps_columns() {
    let datasets = dataset(Vec::new());
    let reader = DatasetReader::find(&datasets, "ticket-volume").unwrap();
    assert!(reader.is_empty());
    let View::Table(table) = reader.empty_view() else {
        panic!("expected a table");
    };
    assert_eq!(table.columns, ["key", "created"]);
    assert!(table.rows.is_empty());
}
