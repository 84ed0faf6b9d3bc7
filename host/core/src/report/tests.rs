//! The dashboard datasets and the drill-down convention on a small history
//! in a real database file, with the expected values worked out by hand.
//!
//! The built-in SLA calendar's time zone applies: Asia/Shanghai (UTC+8).
//! Times below are local. November 2026 starts on a Sunday, so 11-02 and
//! 11-09 are Mondays.
//!
//! | ticket | agent | channel | customer writes | resolved |
//! |--------|-------|---------|-----------------|----------|
//! | A | lin | email | Mon 11-02 09:00 | Wed 11-04 10:00 |
//! | B | lin | chat | Tue 11-03 15:00 | open |
//! | C | none | email | Mon 11-09 09:00 | Mon 11-09 12:00 |
//! | D | wang | phone | Sun 10-25 10:00 | open |
//!
//! For the period 2026-11:
//! - by agent: (unassigned) created 1, resolved 1; lin created 2, resolved
//!   1; wang created 0, resolved 0 (a row because D is open);
//! - by channel: chat created 1, email created 2, phone created 0;
//! - backlog per day: 11-01 1 (D), 11-02 2 (D, A), 11-03 3 (D, A, B), then
//!   2 (D, B) to 11-30; C is open at no day's end;
//! - hour of week: Mon 09 2 (A, C), Tue 15 1 (B).

use chrono::{DateTime, TimeZone, Utc};
use chrono_tz::Tz;

use super::*;
use crate::metrics::Dimension;
use crate::model::Channel;
use crate::plugin::PluginSet;
use crate::plugin::widget_api::Parameter;
use crate::store::NewTicket;
use crate::store::write::TicketField;

const SHANGHAI: Tz = chrono_tz::Asia::Shanghai;

fn local(month: u32, day: u32, hour: u32) -> DateTime<Utc> {
    SHANGHAI
        .with_ymd_and_hms(2026, month, day, hour, 0, 0)
        .unwrap()
        .with_timezone(&Utc)
}

fn now() -> DateTime<Utc> {
    local(12, 5, 12)
}

/// Ids of the tickets of the table at the top of this file.
struct Tickets {
    a: i64,
    b: i64,
    c: i64,
    d: i64,
}

fn build(folder: &std::path::Path) -> (Store, Tickets) {
    let mut store = Store::open(&folder.join("kefu.db")).unwrap();
    let writer = store.writer().unwrap();
    let open = |customer: &str, agent: Option<&str>, channel: Channel, written| {
        let (customer, _) = writer
            .find_or_create_customer(channel, customer, None, written)
            .unwrap();
        let conversation = writer
            .create_conversation(channel, customer.id, None, Some("help"), written)
            .unwrap();
        let ticket = NewTicket {
            conversation_id: conversation,
            subject: Some("help"),
            ticket_type: "pre-sales",
            priority: "normal",
            source: channel,
            actor: "system",
            reason: "test ticket",
        };
        let id = writer.open_ticket(&ticket, written).unwrap();
        if let Some(agent) = agent {
            writer
                .set_ticket_field(id, TicketField::Assignee, agent, "system", "test", written)
                .unwrap();
        }
        id
    };

    let resolve = |ticket: i64, at| {
        writer
            .set_ticket_field(
                ticket,
                TicketField::Status,
                "resolved",
                "agent:test",
                "test",
                at,
            )
            .unwrap();
    };

    let a = open("a@example.cn", Some("lin"), Channel::Email, local(11, 2, 9));
    resolve(a, local(11, 4, 10));
    let b = open("chat-b", Some("lin"), Channel::Chat, local(11, 3, 15));
    let c = open("c@example.cn", None, Channel::Email, local(11, 9, 9));
    resolve(c, local(11, 9, 12));
    let d = open(
        "+8613800138000",
        Some("wang"),
        Channel::Phone,
        local(10, 25, 10),
    );
    writer.commit().unwrap();
    (store, Tickets { a, b, c, d })
}

fn parameters(pairs: &[(&str, &str)]) -> Vec<ParameterValue> {
    pairs
        .iter()
        .map(|(name, value)| ParameterValue {
            name: name.to_string(),
            value: value.to_string(),
        })
        .collect()
}

fn run(store: &Store, name: &str, pairs: &[(&str, &str)]) -> Table {
    dataset(store, "test-widget", name, &parameters(pairs), now())
        .unwrap_or_else(|error| panic!("dataset {name}: {error}"))
}

/// A row as its text cells and its integer cells, each in column order.
type Row = (Vec<String>, Vec<i64>);

/// Splits each row into its text and integer cells, failing on any other
/// cell, so rows compare with `assert_eq!`.
fn rows(table: &Table) -> Vec<Row> {
    table
        .rows
        .iter()
        .map(|row| {
            let mut texts = Vec::new();
            let mut integers = Vec::new();
            for cell in row {
                match cell {
                    Cell::Text(text) => texts.push(text.clone()),
                    Cell::Integer(value) => integers.push(*value),
                    _ => panic!("a cell is neither text nor an integer: {row:?}"),
                }
            }
            (texts, integers)
        })
        .collect()
}

fn row(text: &str, integers: &[i64]) -> Row {
    (vec![text.to_string()], integers.to_vec())
}

fn as_dataset(name: &str, table: Table) -> Vec<Dataset> {
    vec![Dataset {
        name: name.to_string(),
        table,
    }]
}

#[test]
fn ticket_volume_by_agent() {
    let folder = tempfile::tempdir().unwrap();
    let (store, _) = build(folder.path());
    let table = run(
        &store,
        "ticket-volume",
        &[("period", "2026-11"), ("dimension", "agent")],
    );
    assert_eq!(table.columns, ["key", "created", "resolved"]);
    assert_eq!(
        rows(&table),
        [
            row("(unassigned)", &[1, 1]),
            row("lin", &[2, 1]),
            row("wang", &[0, 0]),
        ]
    );
}

#[test]
fn ticket_volume_by_channel() {
    let folder = tempfile::tempdir().unwrap();
    let (store, _) = build(folder.path());
    let table = run(
        &store,
        "ticket-volume",
        &[("period", "2026-11"), ("dimension", "channel")],
    );
    assert_eq!(
        rows(&table),
        [
            row("chat", &[1, 0]),
            row("email", &[2, 2]),
            row("phone", &[0, 0]),
        ]
    );
}

#[test]
fn tickets_by_channel_counts_created() {
    let folder = tempfile::tempdir().unwrap();
    let (store, _) = build(folder.path());
    let table = run(&store, "tickets-by-channel", &[("period", "2026-11")]);
    assert_eq!(table.columns, ["channel", "created"]);
    assert_eq!(
        rows(&table),
        [row("chat", &[1]), row("email", &[2]), row("phone", &[0])]
    );
}

#[test]
fn backlog_per_day_of_month() {
    let folder = tempfile::tempdir().unwrap();
    let (store, _) = build(folder.path());
    let table = run(&store, "backlog", &[("period", "2026-11")]);
    assert_eq!(table.columns, ["bucket", "open"]);
    assert_eq!(table.rows.len(), 30);
    let mut expected = vec![1, 2, 3];
    expected.extend([2; 27]);
    for (day, (actual, open)) in rows(&table).into_iter().zip(expected).enumerate() {
        let label = format!("2026-11-{:02}", day + 1);
        assert_eq!(actual, row(&label, &[open]), "{label}");
    }
}

#[test]
fn backlog_bucket_follows_period_length() {
    let folder = tempfile::tempdir().unwrap();
    let (store, _) = build(folder.path());
    // One day: per hour. D and A are open all day on 11-02 from 09:00.
    let day = run(&store, "backlog", &[("period", "2026-11-02")]);
    let hours = rows(&day);
    assert_eq!(hours.len(), 24);
    assert_eq!(hours[8], row("2026-11-02 08:00", &[1]));
    assert_eq!(hours[9], row("2026-11-02 09:00", &[2]));
    // A year: per week, 2026-W01 to 2026-W53.
    let weeks = rows(&run(&store, "backlog", &[("period", "2026")]));
    assert_eq!(weeks.first().unwrap().0, ["2026-W01"]);
    assert_eq!(weeks.len(), 53);
}

#[test]
fn hour_of_week_has_every_hour() {
    let folder = tempfile::tempdir().unwrap();
    let (store, _) = build(folder.path());
    let table = run(&store, "hour-of-week", &[("period", "2026-11")]);
    assert_eq!(table.columns, ["weekday", "hour", "tickets"]);
    let cells = rows(&table);
    assert_eq!(cells.len(), 7 * 24);
    assert_eq!(cells[0], row("Mon", &[0, 0]));
    assert_eq!(cells[9], row("Mon", &[9, 2]));
    assert_eq!(cells[24 + 15], row("Tue", &[15, 1]));
    assert_eq!(cells[6 * 24 + 23], row("Sun", &[23, 0]));
    let total: i64 = cells.iter().map(|(_, integers)| integers[1]).sum();
    assert_eq!(total, 3);
}

#[test]
fn empty_period_is_newest_tickets_month() {
    let folder = tempfile::tempdir().unwrap();
    let (store, _) = build(folder.path());
    // The newest ticket, C, is from November.
    let defaults = run(&store, "tickets-by-channel", &[]);
    let november = run(&store, "tickets-by-channel", &[("period", "2026-11")]);
    assert_eq!(rows(&defaults), rows(&november));
    let period = dashboard_period(&store, " ", now()).unwrap();
    assert_eq!(period.label, "2026-11");
}

#[test]
fn widgets_datasets_match_one_at_a_time() {
    let folder = tempfile::tempdir().unwrap();
    let (store, _) = build(folder.path());
    let describe = |datasets: &[&str]| Description {
        title: "test".to_string(),
        parameters: Vec::new(),
        datasets: datasets.iter().map(|name| name.to_string()).collect(),
    };
    let november = parameters(&[("period", "2026-11"), ("dimension", "channel")]);
    let day = parameters(&[("period", "2026-11-02")]);
    let bad_period = parameters(&[("period", "2026-13")]);
    let widgets = [
        (
            "volume",
            describe(&["ticket-volume", "tickets-by-status"]),
            november.clone(),
        ),
        ("backlog", describe(&["backlog", "hour-of-week"]), november),
        (
            "channels",
            describe(&["tickets-by-channel", "backlog"]),
            day,
        ),
        ("broken", describe(&["backlog"]), bad_period),
        ("unknown", describe(&["tickets-per-agent"]), Vec::new()),
        ("default", describe(&["ticket-volume"]), Vec::new()),
    ];
    let requests: Vec<(&str, &Description, &[ParameterValue])> = widgets
        .iter()
        .map(|(id, description, parameters)| (*id, description, parameters.as_slice()))
        .collect();
    let together = run_widgets_datasets(&store, &requests, now());
    assert_eq!(together.len(), widgets.len());
    for ((id, description, parameters), result) in widgets.iter().zip(together) {
        let alone = run_datasets(&store, id, description, parameters, now());
        match (result, alone) {
            // The generated widget types have no `PartialEq`, so their
            // debug text is compared.
            (Ok(together), Ok(alone)) => {
                assert_eq!(format!("{together:?}"), format!("{alone:?}"), "widget {id}")
            }
            (Err(together), Err(alone)) => {
                let together = format!("{:#}", anyhow::Error::from(together));
                let alone = format!("{:#}", anyhow::Error::from(alone));
                assert_eq!(together, alone, "widget {id}");
            }
            (together, alone) => {
                panic!("widget {id}: together {together:?}, one at a time {alone:?}")
            }
        }
    }
}

#[test]
fn bad_parameters_named() {
    let folder = tempfile::tempdir().unwrap();
    let (store, _) = build(folder.path());
    let error = dataset(
        &store,
        "w",
        "backlog",
        &parameters(&[("period", "2026-13")]),
        now(),
    )
    .unwrap_err();
    let message = format!("{:#}", anyhow::Error::from(error));
    assert!(message.contains("\"2026-13\""), "{message}");
    assert!(message.contains("parameter period"), "{message}");
    let error = dataset(
        &store,
        "w",
        "ticket-volume",
        &parameters(&[("dimension", "weekday")]),
        now(),
    )
    .unwrap_err();
    let message = format!("{:#}", anyhow::Error::from(error));
    assert!(
        message.contains("parameter dimension is \"weekday\""),
        "{message}"
    );
    let error = dataset(&store, "w", "tickets-per-agent", &[], now()).unwrap_err();
    let message = error.to_string();
    assert!(message.contains("\"tickets-per-agent\""), "{message}");
    assert!(message.contains("hour-of-week"), "{message}");
}

#[test]
fn drawn_values_trace_to_tickets() {
    let folder = tempfile::tempdir().unwrap();
    let (store, tickets) = build(folder.path());
    let period = [("period", "2026-11"), ("dimension", "agent")];
    let by_agent = as_dataset("ticket-volume", run(&store, "ticket-volume", &period));

    let traced = trace_value(&by_agent, "Created", "lin", 2.0).expect("lin's created bar");
    assert_eq!(traced.key, ["lin"]);
    assert_eq!(traced.column, "created");
    assert_eq!(traced.count, 2);
    let ids = traced_tickets(&store, &traced, &parameters(&period), now()).unwrap();
    assert_eq!(ids, [tickets.a, tickets.b]);

    let traced = trace_value(&by_agent, "resolved", "(unassigned)", 1.0).unwrap();
    let ids = traced_tickets(&store, &traced, &parameters(&period), now()).unwrap();
    assert_eq!(ids, [tickets.c]);

    let backlog = as_dataset("backlog", run(&store, "backlog", &period[..1]));
    let traced = trace_value(&backlog, "Open", "2026-11-03", 3.0).unwrap();
    let ids = traced_tickets(&store, &traced, &parameters(&period[..1]), now()).unwrap();
    assert_eq!(ids, [tickets.a, tickets.b, tickets.d]);

    let channels = as_dataset(
        "tickets-by-channel",
        run(&store, "tickets-by-channel", &period[..1]),
    );
    let traced = trace_value(&channels, "created", "email", 2.0).unwrap();
    let ids = traced_tickets(&store, &traced, &parameters(&period[..1]), now()).unwrap();
    assert_eq!(ids, [tickets.a, tickets.c]);

    let hours = as_dataset("hour-of-week", run(&store, "hour-of-week", &period[..1]));
    let traced = trace_value(&hours, "Mon", "09", 2.0).unwrap();
    assert_eq!(traced.key, ["Mon", "9"]);
    let ids = traced_tickets(&store, &traced, &parameters(&period[..1]), now()).unwrap();
    assert_eq!(ids, [tickets.a, tickets.c]);
}

#[test]
fn untraceable_values_have_no_tickets() {
    let folder = tempfile::tempdir().unwrap();
    let (store, _) = build(folder.path());
    let period = [("period", "2026-11")];
    let by_agent = as_dataset("ticket-volume", run(&store, "ticket-volume", &period));
    // A value other than the count: the widget scaled or summed it.
    assert_eq!(trace_value(&by_agent, "Created", "lin", 3.0), None);
    // A series that names no count column.
    assert_eq!(trace_value(&by_agent, "Tickets", "lin", 2.0), None);
    // A category that names no row.
    assert_eq!(trace_value(&by_agent, "Created", "zhao", 0.0), None);
    // A dataset outside the convention.
    let status = as_dataset("tickets-by-status", run(&store, "tickets-by-status", &[]));
    assert_eq!(trace_value(&status, "tickets", "open", 2.0), None);
    // The hour-of-week dataset takes the weekday from the series.
    let hours = as_dataset("hour-of-week", run(&store, "hour-of-week", &period));
    assert_eq!(trace_value(&hours, "09", "Mon", 2.0), None);
}

#[test]
fn overrides_only_for_declared_parameters() {
    let parameter = |name: &str| Parameter {
        name: name.to_string(),
        label: name.to_string(),
        kind: ParameterKind::Text,
        default_value: String::new(),
    };
    let mut description = Description {
        title: "t".to_string(),
        parameters: vec![parameter("period"), parameter("days")],
        datasets: Vec::new(),
    };
    let overrides = dashboard_overrides(&description, "2026-11", Dimension::Tier);
    assert_eq!(overrides, [("period".to_string(), "2026-11".to_string())]);
    description.parameters.push(parameter("dimension"));
    let overrides = dashboard_overrides(&description, "2026", Dimension::TicketType);
    assert_eq!(
        overrides,
        [
            ("period".to_string(), "2026".to_string()),
            ("dimension".to_string(), "type".to_string()),
        ]
    );
    description.parameters.clear();
    assert!(dashboard_overrides(&description, "2026", Dimension::Agent).is_empty());
}

#[test]
fn builtin_ticket_volume_draws_dataset() {
    let folder = tempfile::tempdir().unwrap();
    let (store, _) = build(folder.path());
    let mut plugins = PluginSet::builtin().unwrap();
    let widget = plugins
        .widget("ticket-volume")
        .expect("the built-in widget");
    let overrides = [
        ("period".to_string(), "2026-11".to_string()),
        ("dimension".to_string(), "agent".to_string()),
    ];
    let (description, view) = run_widget(&store, widget, &overrides).unwrap();
    assert_eq!(description.datasets, ["ticket-volume"]);
    let View::Chart(chart) = view else {
        panic!("expected a chart: {view:?}");
    };
    assert_eq!(chart.title, "Tickets created and resolved by agent");
    assert_eq!(chart.categories, ["(unassigned)", "lin", "wang"]);
    assert_eq!(chart.series[0].name, "Created");
    assert_eq!(chart.series[0].values, [1.0, 2.0, 0.0]);
    assert_eq!(chart.series[1].name, "Resolved");
    assert_eq!(chart.series[1].values, [1.0, 1.0, 0.0]);
}
