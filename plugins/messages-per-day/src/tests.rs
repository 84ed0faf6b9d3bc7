use kefu_plugin_sdk::widget::exports::kefu::plugin::widget::Table;

use super::*;

fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

fn parameter(name: &str, value: &str) -> ParameterValue {
    ParameterValue {
        name: name.to_string(),
        value: value.to_string(),
    }
}

fn row(day: &str, channel: &str, messages: i64) -> Vec<Cell> {
    vec![
        Cell::Text(day.to_string()),
        Cell::Text(channel.to_string()),
        Cell::Integer(messages),
    ]
}

fn dataset(rows: Vec<Vec<Cell>>) -> Vec<Dataset> {
    vec![Dataset {
        name: DATASET.to_string(),
        table: Table {
            columns: ["day", "channel", "messages"].map(String::from).to_vec(),
            rows,
        },
    }]
}

fn sample() -> Vec<Dataset> {
    dataset(vec![
        row("2024-05-01", "email", 3),
        row("2024-05-01", "chat", 5),
        row("2024-05-03", "phone", 2),
        row("2024-05-03", "email", 1),
    ])
}

fn chart(view: View) -> Chart {
    match view {
        View::Chart(chart) => chart,
        View::Table(table) => panic!("expected a chart, got a table: {table:?}"),
    }
}

fn series<'a>(chart: &'a Chart, name: &str) -> &'a [f64] {
    &chart
        .series
        .iter()
        .find(|series| series.name == name)
        .unwrap_or_else(|| panic!("no series {name:?} in {:?}", chart.series))
        .values
}

#[test]
fn describe_lists_parameters_and_dataset() {
    let description = description();
    assert_eq!(description.title, "Messages per day");
    assert_eq!(description.datasets, [DATASET]);
    let [days, channel] = description.parameters.as_slice() else {
        panic!("expected two parameters: {:?}", description.parameters);
    };
    assert_eq!(days.name, "days");
    assert_eq!(days.kind, ParameterKind::Integer);
    assert_eq!(days.default_value, "14");
    assert_eq!(channel.name, "channel");
    assert_eq!(
        channel.kind,
        ParameterKind::Choice(["all", "email", "chat", "phone"].map(String::from).to_vec())
    );
    assert_eq!(channel.default_value, "all");
}

#[test]
fn all_channels_one_series_each() {
    let view = render(&[parameter("days", "4")], &sample(), date("2024-05-04")).unwrap();
    let chart = chart(view);
    assert_eq!(chart.kind, ChartKind::Bar);
    assert_eq!(chart.title, "Messages per day");
    assert_eq!(
        chart.categories,
        ["2024-05-01", "2024-05-02", "2024-05-03", "2024-05-04"]
    );
    let names: Vec<&str> = chart
        .series
        .iter()
        .map(|series| series.name.as_str())
        .collect();
    assert_eq!(names, ["Email", "Chat", "Phone"]);
    assert_eq!(series(&chart, "Email"), [3.0, 0.0, 1.0, 0.0]);
    assert_eq!(series(&chart, "Chat"), [5.0, 0.0, 0.0, 0.0]);
    assert_eq!(series(&chart, "Phone"), [0.0, 0.0, 2.0, 0.0]);
    assert_eq!(chart.x_label, "Day");
    assert_eq!(chart.y_label, "Messages");
}

#[test]
fn default_is_fourteen_days() {
    let chart = chart(render(&[], &sample(), date("2024-05-14")).unwrap());
    assert_eq!(chart.categories.len(), 14);
    assert_eq!(chart.categories.first().unwrap(), "2024-05-01");
    assert_eq!(chart.categories.last().unwrap(), "2024-05-14");
}

#[test]
fn chosen_channel_only_series() {
    let parameters = [parameter("days", "3"), parameter("channel", "email")];
    let chart = chart(render(&parameters, &sample(), date("2024-05-03")).unwrap());
    assert_eq!(chart.title, "Messages per day: Email");
    assert_eq!(chart.series.len(), 1);
    assert_eq!(series(&chart, "Email"), [3.0, 0.0, 1.0]);
}

#[test]
fn rows_before_first_day_left_out() {
    let chart = chart(render(&[parameter("days", "2")], &sample(), date("2024-05-03")).unwrap());
    assert_eq!(chart.categories, ["2024-05-02", "2024-05-03"]);
    assert_eq!(series(&chart, "Email"), [0.0, 1.0]);
    assert_eq!(series(&chart, "Chat"), [0.0, 0.0]);
}

#[test]
fn data_newer_than_today_extends_chart() {
    // A host whose days are ahead of UTC can already count tomorrow's date.
    let chart = chart(render(&[parameter("days", "2")], &sample(), date("2024-05-02")).unwrap());
    assert_eq!(chart.categories, ["2024-05-02", "2024-05-03"]);
    assert_eq!(series(&chart, "Phone"), [0.0, 2.0]);
}

#[test]
fn repeated_rows_add_up() {
    let datasets = dataset(vec![
        row("2024-05-01", "chat", 2),
        row("2024-05-01", "chat", 3),
    ]);
    let chart = chart(render(&[parameter("days", "1")], &datasets, date("2024-05-01")).unwrap());
    assert_eq!(series(&chart, "Chat"), [5.0]);
}

#[test]
fn unknown_channel_gets_own_series() {
    let datasets = dataset(vec![row("2024-05-01", "SMS", 4)]);
    let chart = chart(render(&[parameter("days", "1")], &datasets, date("2024-05-01")).unwrap());
    assert_eq!(series(&chart, "sms"), [4.0]);
}

#[test]
fn columns_found_by_name() {
    let datasets = vec![Dataset {
        name: DATASET.to_string(),
        table: Table {
            columns: ["messages", "day", "channel"].map(String::from).to_vec(),
            rows: vec![vec![
                Cell::Integer(7),
                Cell::Text("2024-05-01".to_string()),
                Cell::Text("phone".to_string()),
            ]],
        },
    }];
    let chart = chart(render(&[parameter("days", "1")], &datasets, date("2024-05-01")).unwrap());
    assert_eq!(series(&chart, "Phone"), [7.0]);
}

#[test]
fn empty_dataset_gives_zero_bars() {
    let chart = chart(
        render(
            &[parameter("days", "3")],
            &dataset(Vec::new()),
            date("2024-05-03"),
        )
        .unwrap(),
    );
    assert_eq!(chart.categories.len(), 3);
    for series in &chart.series {
        assert_eq!(series.values, [0.0, 0.0, 0.0], "{}", series.name);
    }
}

#[test]
fn bad_days_rejected() {
    for value in ["0", "-3", "367", "abc", "1.5", ""] {
        let error = render(&[parameter("days", value)], &sample(), date("2024-05-03")).unwrap_err();
        assert!(
            error.starts_with("The days parameter"),
            "{value:?}: {error}"
        );
        assert!(error.contains(&format!("{value:?}")), "{value:?}: {error}");
    }
}

#[test]
fn bad_channel_rejected() {
    let error = render(
        &[parameter("channel", "fax")],
        &sample(),
        date("2024-05-03"),
    )
    .unwrap_err();
    assert_eq!(
        error,
        "The channel parameter must be one of all, email, chat, phone, not \"fax\"."
    );
}

#[test]
fn unknown_parameter_rejected() {
    let error = render(&[parameter("weeks", "2")], &sample(), date("2024-05-03")).unwrap_err();
    assert!(error.contains("\"weeks\""), "{error}");
}

#[test]
fn missing_dataset_rejected() {
    let error = render(&[], &[], date("2024-05-03")).unwrap_err();
    assert!(error.contains("messages-per-day"), "{error}");
}

#[test]
fn missing_column_rejected() {
    let mut datasets = sample();
    datasets[0].table.columns[2] = "count".to_string();
    let error = render(&[], &datasets, date("2024-05-03")).unwrap_err();
    assert!(error.contains("no \"messages\" column"), "{error}");
}

#[test]
fn bad_cells_rejected_with_row() {
    let cases = [
        (row("05/01/2024", "email", 1), "day must be a date"),
        (
            vec![
                Cell::Text("2024-05-01".to_string()),
                Cell::Empty,
                Cell::Integer(1),
            ],
            "channel must be text",
        ),
        (
            row("2024-05-01", "email", -1),
            "messages must be a whole number",
        ),
        (
            vec![
                Cell::Text("2024-05-01".to_string()),
                Cell::Text("email".to_string()),
                Cell::Number(1.5),
            ],
            "messages must be a whole number",
        ),
    ];
    for (bad_row, expected) in cases {
        let datasets = dataset(vec![row("2024-05-01", "chat", 1), bad_row]);
        let error = render(&[], &datasets, date("2024-05-03")).unwrap_err();
        assert!(error.starts_with("Row 2 of"), "{error}");
        assert!(error.contains(expected), "{error}");
    }
}
