//! Every metric on a small history built through the store's write API in
//! a real database file, with expected values worked out by hand below.
//!
//! The built-in SLA calendar applies: Asia/Shanghai (UTC+8), Monday to
//! Friday 09:00-12:00 and 13:00-18:00, so a working day has 8 hours.
//! November 2026 has 21 working days (it starts on a Sunday and has no
//! holidays or make-up days), 168 working hours. Normal tickets of regular
//! customers have a 4 h first-response and a 24 h resolution target. A VIP
//! customer's normal ticket has 2 h and 16 h.
//!
//! | ticket | agent | type | channel | customer writes (local) | first response | resolved |
//! |--------|-------|------|---------|--------------------------|----------------|----------|
//! | T1 | lin | pre-sales | email | Mon 11-02 09:00 | 10:30 | Mon 11-02 14:00 |
//! | T2 | lin | after-sales | chat | Fri 11-06 17:00 | Mon 11-09 09:30 | Mon 11:00, reopened 11:30, Mon 17:00 |
//! | T3 | wang | pre-sales | email, VIP | Tue 11-03 10:00 | none | open |
//! | T4 | none | pre-sales | phone | Sat 11-07 10:00 | Sat 11:00 | Mon 11-09 10:00 |
//! | T5 | lin | complaint | email, imported 12-02 | Fri 11-20 09:00 | 10:00 | 12-02 (import) |
//! | T6 | lin | pre-sales | email | Fri 10-30 10:00 | none | Mon 11-02 10:00 |

use std::path::Path;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;

use super::*;
use crate::Store;
use crate::model::{Channel, Direction, IncomingMessage, Party};
use crate::store::write::TicketField;
use crate::store::{NewRating, NewTicket, RatingSource, Writer};

const SHANGHAI: Tz = chrono_tz::Asia::Shanghai;
const HOUR: f64 = 3600.0;

/// Returns a local Shanghai time in 2026.
fn local(month: u32, day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    SHANGHAI
        .with_ymd_and_hms(2026, month, day, hour, minute, 0)
        .unwrap()
        .with_timezone(&Utc)
}

fn now() -> DateTime<Utc> {
    local(12, 5, 12, 0)
}

struct Ticket<'a> {
    customer: &'a str,
    agent: Option<&'a str>,
    ticket_type: &'a str,
    channel: Channel,
    subject: &'a str,
    written: DateTime<Utc>,
}

/// Stores the customer's first message and opens its ticket at `opened`;
/// an `opened` later than the message is an import of older history.
fn open(writer: &Writer<'_>, ticket: &Ticket<'_>, opened: DateTime<Utc>) -> (i64, i64) {
    let (customer, _) = writer
        .find_or_create_customer(ticket.channel, ticket.customer, None, ticket.written)
        .unwrap();
    let conversation = writer
        .create_conversation(
            ticket.channel,
            customer.id,
            Some(ticket.customer),
            Some(ticket.subject),
            ticket.written,
        )
        .unwrap();
    message(
        writer,
        conversation,
        ticket.channel,
        Direction::Inbound,
        ticket.subject,
        ticket.written,
    );
    let id = writer
        .open_ticket(
            &NewTicket {
                conversation_id: conversation,
                subject: Some(ticket.subject),
                ticket_type: ticket.ticket_type,
                priority: "normal",
                source: ticket.channel,
                actor: "system",
                reason: "test ticket",
            },
            opened,
        )
        .unwrap();
    if opened > ticket.written {
        writer.set_sla_start(id, ticket.written).unwrap();
    }
    if let Some(agent) = ticket.agent {
        writer
            .set_ticket_field(id, TicketField::Assignee, agent, "system", "test", opened)
            .unwrap();
    }
    (id, conversation)
}

fn message(
    writer: &Writer<'_>,
    conversation: i64,
    channel: Channel,
    direction: Direction,
    text: &str,
    at: DateTime<Utc>,
) {
    let key = format!("{conversation}:{direction:?}:{at}:{text}");
    let raw = writer
        .store_raw_input(&key, "test", None, None, key.as_bytes(), at)
        .unwrap();
    let party = Party {
        name: None,
        address: format!("customer-{conversation}"),
    };
    let incoming = IncomingMessage {
        channel,
        direction,
        sender: party.clone(),
        customer: party,
        sent_at: Some(at),
        subject: None,
        body_text: text.to_string(),
        external_id: None,
        thread_key: None,
        replies_to: Vec::new(),
        automation: None,
        call: None,
        attachments: Vec::new(),
        raw_span: None,
        notes: Vec::new(),
    };
    writer
        .insert_message(conversation, &incoming, &key, raw, at)
        .unwrap();
}

fn reply(writer: &Writer<'_>, ticket: i64, conversation: i64, channel: Channel, at: DateTime<Utc>) {
    message(
        writer,
        conversation,
        channel,
        Direction::Outbound,
        "reply",
        at,
    );
    writer
        .record_first_response(ticket, "agent:test", at)
        .unwrap();
}

fn set_status(writer: &Writer<'_>, ticket: i64, status: &str, at: DateTime<Utc>) {
    writer
        .set_ticket_field(
            ticket,
            TicketField::Status,
            status,
            "agent:test",
            "test",
            at,
        )
        .unwrap();
}

fn rate(writer: &Writer<'_>, ticket: i64, score: u8, at: DateTime<Utc>) {
    let rating = NewRating {
        ticket_id: ticket,
        score,
        comment: None,
        rated_at: at,
        source: RatingSource::Import,
        message_id: None,
    };
    assert!(writer.insert_rating(&rating, at).unwrap());
}

/// Ids of the six tickets of the table at the top of this file.
struct Dataset {
    t1: i64,
    t2: i64,
    t3: i64,
    t4: i64,
    t5: i64,
}

fn build(folder: &Path) -> (Store, Dataset) {
    let mut store = Store::open(&folder.join("kefu.db")).unwrap();
    // T3's customer is VIP before the ticket opens, so its deadlines are
    // the VIP ones from the start.
    let vip = {
        let writer = store.writer().unwrap();
        let (customer, _) = writer
            .find_or_create_customer(Channel::Email, "vip@example.cn", None, local(10, 1, 9, 0))
            .unwrap();
        writer.commit().unwrap();
        customer.id
    };
    store.set_customer_tier(vip, "vip").unwrap();

    let writer = store.writer().unwrap();
    let ticket = |customer, agent, ticket_type, channel, subject, written| Ticket {
        customer,
        agent,
        ticket_type,
        channel,
        subject,
        written,
    };
    let t6 = ticket(
        "t6@example.cn",
        Some("lin"),
        "pre-sales",
        Channel::Email,
        "Invoice copy",
        local(10, 30, 10, 0),
    );
    let (t6, _) = open(&writer, &t6, local(10, 30, 10, 0));
    set_status(&writer, t6, "resolved", local(11, 2, 10, 0));

    let spec = ticket(
        "t1@example.cn",
        Some("lin"),
        "pre-sales",
        Channel::Email,
        "Where is my order?",
        local(11, 2, 9, 0),
    );
    let (t1, c1) = open(&writer, &spec, local(11, 2, 9, 0));
    reply(&writer, t1, c1, Channel::Email, local(11, 2, 10, 30));
    message(
        &writer,
        c1,
        Channel::Email,
        Direction::Outbound,
        "more",
        local(11, 2, 13, 30),
    );
    set_status(&writer, t1, "resolved", local(11, 2, 14, 0));

    let spec = ticket(
        "vip@example.cn",
        Some("wang"),
        "pre-sales",
        Channel::Email,
        "Re: where is my order",
        local(11, 3, 10, 0),
    );
    let (t3, _) = open(&writer, &spec, local(11, 3, 10, 0));

    let spec = ticket(
        "chat-user-2",
        Some("lin"),
        "after-sales",
        Channel::Chat,
        "屏幕坏了",
        local(11, 6, 17, 0),
    );
    let (t2, c2) = open(&writer, &spec, local(11, 6, 17, 0));
    reply(&writer, t2, c2, Channel::Chat, local(11, 9, 9, 30));
    set_status(&writer, t2, "resolved", local(11, 9, 11, 0));
    set_status(&writer, t2, "open", local(11, 9, 11, 30));
    set_status(&writer, t2, "resolved", local(11, 9, 17, 0));

    let spec = ticket(
        "+8613800138000",
        None,
        "pre-sales",
        Channel::Phone,
        "Call about delivery",
        local(11, 7, 10, 0),
    );
    let (t4, c4) = open(&writer, &spec, local(11, 7, 10, 0));
    reply(&writer, t4, c4, Channel::Phone, local(11, 7, 11, 0));
    set_status(&writer, t4, "resolved", local(11, 9, 10, 0));

    // Imported on 12-02: the ticket row is created then, the customer wrote
    // on 11-20 and the team's reply carries its own send time.
    let imported = local(12, 2, 15, 0);
    let spec = ticket(
        "t5@example.cn",
        Some("lin"),
        "complaint",
        Channel::Email,
        "Refund not received",
        local(11, 20, 9, 0),
    );
    let (t5, c5) = open(&writer, &spec, imported);
    reply(&writer, t5, c5, Channel::Email, local(11, 20, 10, 0));
    set_status(&writer, t5, "resolved", imported);

    rate(&writer, t1, 5, local(11, 3, 9, 0));
    rate(&writer, t2, 2, local(11, 10, 9, 0));
    // T4 is rated twice; the later rating counts.
    rate(&writer, t4, 3, local(11, 9, 12, 0));
    rate(&writer, t4, 4, local(11, 10, 12, 0));
    // Given in December: outside the period.
    rate(&writer, t5, 1, local(12, 3, 9, 0));
    writer.commit().unwrap();
    (store, Dataset { t1, t2, t3, t4, t5 })
}

fn query(period: &str, by: &[Dimension]) -> MetricsQuery {
    MetricsQuery {
        period: parse_period(period, SHANGHAI).unwrap(),
        by: by.to_vec(),
        filters: Filters::default(),
        now: now(),
        recurring_limit: 20,
    }
}

fn hours(value: f64) -> Option<f64> {
    Some(value * HOUR)
}

fn assert_close(actual: Option<f64>, expected: f64, what: &str) {
    let actual = actual.unwrap_or_else(|| panic!("{what} is missing"));
    assert!(
        (actual - expected).abs() < 1e-9,
        "{what}: {actual} != {expected}"
    );
}

#[test]
fn month_totals() {
    let folder = tempfile::tempdir().unwrap();
    let (store, _) = build(folder.path());
    let report = compute(&store, &query("2026-11", &[])).unwrap();
    assert_eq!(report.time_zone, "Asia/Shanghai");
    assert_eq!(report.rows.len(), 1);
    let row = &report.rows[0];

    // Customer's first message in November: T1 T2 T3 T4 T5 (T5 by its
    // send time, though imported in December).
    assert_eq!(row.created, 5);
    // Resolved in November: T1 T2 T4 T6 (T5 was resolved at its import).
    assert_eq!(row.resolved, 4);
    // Open at the end of November: T3 and T5.
    assert_eq!(row.backlog, 2);

    // First response, calendar: T1 1.5 h, T2 64.5 h, T4 1 h, T5 1 h.
    assert_eq!(row.first_response.count, 4);
    assert_eq!(
        row.first_response.average,
        hours((1.5 + 64.5 + 1.0 + 1.0) / 4.0)
    );
    assert_eq!(row.first_response.median, hours(1.25));
    assert_eq!(row.first_response.p90, hours(64.5));
    // Business: T1 1.5 h, T2 Fri 17-18 + Mon 09:00-09:30 = 1.5 h, T4 on a
    // Saturday 0 h, T5 1 h.
    assert_eq!(row.first_response_business.average, hours(4.0 / 4.0));
    assert_eq!(row.first_response_business.median, hours(1.25));
    assert_eq!(row.first_response_business.p90, hours(1.5));

    // Resolution, calendar: T1 5 h, T2 72 h, T4 48 h, T6 72 h.
    assert_eq!(
        row.resolution.average,
        hours((5.0 + 72.0 + 48.0 + 72.0) / 4.0)
    );
    assert_eq!(row.resolution.median, hours(60.0));
    assert_eq!(row.resolution.p90, hours(72.0));
    // Business: T1 09-12 + 13-14 = 4 h; T2 1 + 3 + 4 = 8 h; T4 Mon 09-10
    // = 1 h; T6 Fri 10-12 + 13-18 + Mon 09-10 = 8 h.
    assert_eq!(row.resolution_business.average, hours(21.0 / 4.0));
    assert_eq!(row.resolution_business.median, hours(6.0));
    assert_eq!(row.resolution_business.p90, hours(8.0));

    // Latest November rating per ticket: T1 5, T2 2, T4 4.
    assert_eq!(row.csat_responses, 3);
    assert_eq!(row.csat_satisfied, 2);
    assert_close(row.csat(), 2.0 / 3.0, "csat");

    // Met: T1 both, T2 both, T4 both, T5 first response. Breached: T3
    // both (VIP 2 h and 16 h, never done), T5 resolution (due 11-24).
    assert_eq!(row.sla_met, 7);
    assert_eq!(row.sla_breached, 3);
    assert_close(row.sla_breach_rate(), 0.3, "breach rate");

    // T2 was reopened before its final resolution.
    assert_eq!(row.reopened, 1);
    assert_close(row.reopen_rate(), 0.25, "reopen rate");

    // Replies: T1 10:30 and 13:30, T2 09:30, T4 11:00, T5 10:00.
    assert_eq!(row.messages_handled, 5);
    assert_close(Some(row.working_hours), 168.0, "working hours");
    assert_close(
        row.resolved_per_working_hour(),
        4.0 / 168.0,
        "resolved per hour",
    );
}

#[test]
fn by_agent() {
    let folder = tempfile::tempdir().unwrap();
    let (store, _) = build(folder.path());
    let report = compute(&store, &query("2026-11", &[Dimension::Agent])).unwrap();
    let keys: Vec<&str> = report.rows.iter().map(|row| row.key[0].as_str()).collect();
    assert_eq!(keys, ["(unassigned)", "lin", "wang"]);

    let lin = &report.rows[1];
    assert_eq!(lin.created, 3);
    assert_eq!(lin.resolved, 3);
    assert_eq!(lin.backlog, 1);
    assert_eq!(lin.messages_handled, 4);
    assert_eq!(lin.csat_responses, 2);
    assert_eq!(lin.csat_satisfied, 1);
    assert_eq!(lin.sla_met, 5);
    assert_eq!(lin.sla_breached, 1);
    assert_eq!(lin.reopened, 1);

    let wang = &report.rows[2];
    assert_eq!(wang.created, 1);
    assert_eq!(wang.resolved, 0);
    assert_eq!(wang.backlog, 1);
    assert_eq!(wang.sla_met, 0);
    assert_eq!(wang.sla_breached, 2);
    assert_eq!(wang.first_response.count, 0);
    assert_eq!(wang.first_response.average, None);
    assert_eq!(wang.reopen_rate(), None);

    let unassigned = &report.rows[0];
    assert_eq!(unassigned.created, 1);
    assert_eq!(unassigned.resolved, 1);
    assert_eq!(unassigned.backlog, 0);
    assert_eq!(unassigned.csat_responses, 1);
    assert_eq!(unassigned.csat_satisfied, 1);
    assert_eq!(unassigned.messages_handled, 1);
}

#[test]
fn by_ticket_one_row_each() {
    let folder = tempfile::tempdir().unwrap();
    let (store, tickets) = build(folder.path());
    let report = compute(&store, &query("2026-11", &[Dimension::Ticket])).unwrap();
    // The five tickets opened in November, and T6, resolved in November.
    assert_eq!(report.rows.len(), 6);
    let ids: Vec<i64> = report
        .rows
        .iter()
        .map(|row| row.key[0].parse().unwrap())
        .collect();
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    assert_eq!(ids, sorted);
    let row = |id: i64| {
        report
            .rows
            .iter()
            .find(|row| row.key[0] == id.to_string())
            .unwrap_or_else(|| panic!("no row for ticket {id}"))
    };

    let t1 = row(tickets.t1);
    assert_eq!(t1.created, 1);
    assert_eq!(t1.resolved, 1);
    assert_eq!(t1.messages_handled, 2);
    assert_eq!(t1.first_response.average, hours(1.5));
    let t2 = row(tickets.t2);
    assert_eq!(t2.reopened, 1);
    assert_eq!(t2.csat_responses, 1);
    // Resolved on 12-02, so still open at the end of November.
    let t5 = row(tickets.t5);
    assert_eq!(t5.created, 1);
    assert_eq!(t5.resolved, 0);
    assert_eq!(t5.backlog, 1);
    let created: u64 = report.rows.iter().map(|row| row.created).sum();
    assert_eq!(created, 5);
}

#[test]
fn by_type_and_channel_with_filter() {
    let folder = tempfile::tempdir().unwrap();
    let (store, _) = build(folder.path());
    let mut query = query("2026-11", &[Dimension::TicketType, Dimension::Channel]);
    query.filters.agent = Some("lin".to_string());
    let report = compute(&store, &query).unwrap();
    let keys: Vec<Vec<String>> = report.rows.iter().map(|row| row.key.clone()).collect();
    assert_eq!(
        keys,
        [
            vec!["after-sales".to_string(), "chat".to_string()],
            vec!["complaint".to_string(), "email".to_string()],
            vec!["pre-sales".to_string(), "email".to_string()],
        ]
    );
    let pre_sales = &report.rows[2];
    // T1 created and resolved, T6 resolved.
    assert_eq!(pre_sales.created, 1);
    assert_eq!(pre_sales.resolved, 2);
}

#[test]
fn by_tier() {
    let folder = tempfile::tempdir().unwrap();
    let (store, _) = build(folder.path());
    let report = compute(&store, &query("2026-11", &[Dimension::Tier])).unwrap();
    let keys: Vec<&str> = report.rows.iter().map(|row| row.key[0].as_str()).collect();
    assert_eq!(keys, ["regular", "vip"]);
    assert_eq!(report.rows[1].created, 1);
    assert_eq!(report.rows[1].sla_breached, 2);
}

#[test]
fn by_day_backlog_and_buckets() {
    let folder = tempfile::tempdir().unwrap();
    let (store, _) = build(folder.path());
    let report = compute(
        &store,
        &query("2026-11", &[Dimension::Time(Granularity::Day)]),
    )
    .unwrap();
    assert_eq!(report.rows.len(), 30);

    let day = |label: &str| {
        report
            .rows
            .iter()
            .find(|row| row.key[0] == label)
            .unwrap_or_else(|| panic!("no row {label}"))
    };
    assert_eq!(report.rows[0].key[0], "2026-11-01");
    assert_eq!(
        report.rows[0].period_start,
        NaiveDate::from_ymd_opt(2026, 11, 1)
            .unwrap()
            .and_hms_opt(0, 0, 0)
    );

    // Sunday: no working hours, T6 still open.
    assert_eq!(day("2026-11-01").working_hours, 0.0);
    assert_eq!(day("2026-11-01").backlog, 1);
    assert_eq!(day("2026-11-01").resolved_per_working_hour(), None);
    // Monday: T1 opened and resolved, T6 resolved.
    assert_eq!(day("2026-11-02").created, 1);
    assert_eq!(day("2026-11-02").resolved, 2);
    assert_eq!(day("2026-11-02").backlog, 0);
    assert_eq!(day("2026-11-02").working_hours, 8.0);

    assert_eq!(day("2026-11-03").backlog, 1);
    assert_eq!(day("2026-11-06").backlog, 2);
    assert_eq!(day("2026-11-07").backlog, 3);
    assert_eq!(day("2026-11-09").resolved, 2);
    assert_eq!(day("2026-11-09").backlog, 1);
    assert_eq!(day("2026-11-20").backlog, 2);
    assert_eq!(day("2026-11-30").backlog, 2);

    // Ratings count on the day they were given.
    assert_eq!(day("2026-11-10").csat_responses, 2);
}

#[test]
fn by_week_labels() {
    let folder = tempfile::tempdir().unwrap();
    let (store, _) = build(folder.path());
    let report = compute(
        &store,
        &query("2026-11", &[Dimension::Time(Granularity::Week)]),
    )
    .unwrap();
    let labels: Vec<&str> = report.rows.iter().map(|row| row.key[0].as_str()).collect();
    // 11-01 is the Sunday of ISO week 44; 11-30 the Monday of week 49.
    assert_eq!(
        labels,
        [
            "2026-W44", "2026-W45", "2026-W46", "2026-W47", "2026-W48", "2026-W49"
        ]
    );
    // Week 45 (11-02 to 11-08): T1 T3 T2 T4 created.
    assert_eq!(report.rows[1].created, 4);
}

#[test]
fn empty_period() {
    let folder = tempfile::tempdir().unwrap();
    let (store, _) = build(folder.path());
    let report = compute(&store, &query("2025-06", &[])).unwrap();
    assert_eq!(report.rows.len(), 1);
    let row = &report.rows[0];
    assert_eq!(row.created, 0);
    assert_eq!(row.resolved, 0);
    assert_eq!(row.backlog, 0);
    assert_eq!(row.first_response, DurationStats::default());
    assert_eq!(row.csat(), None);
    assert_eq!(row.sla_breach_rate(), None);
    assert_eq!(row.reopen_rate(), None);
    assert!(report.recurring.is_empty());
    assert!(
        report
            .peak_hours
            .iter()
            .all(|peak| peak.inbound_messages == 0)
    );

    let by_agent = compute(&store, &query("2025-06", &[Dimension::Agent])).unwrap();
    assert!(by_agent.rows.is_empty());
}

#[test]
fn peak_hours_local() {
    let folder = tempfile::tempdir().unwrap();
    let (store, _) = build(folder.path());
    let report = compute(&store, &query("2026-11", &[])).unwrap();
    let hour = |hour: usize| report.peak_hours[hour];
    // Customers wrote at 09:00 (T1, T5), 10:00 (T3, T4) and 17:00 (T2).
    assert_eq!(hour(9).inbound_messages, 2);
    assert_eq!(hour(10).inbound_messages, 2);
    assert_eq!(hour(17).inbound_messages, 1);
    assert_eq!(hour(9).tickets_created, 2);
    assert_eq!(hour(17).tickets_created, 1);
    let total: u64 = report
        .peak_hours
        .iter()
        .map(|peak| peak.inbound_messages)
        .sum();
    assert_eq!(total, 5);
}

#[test]
fn recurring_without_canned_reply() {
    let folder = tempfile::tempdir().unwrap();
    let (mut store, data) = build(folder.path());
    // T1 "Where is my order?" and T3 "Re: where is my order" share one
    // phrasing; no phrase exists yet.
    let report = compute(&store, &query("2026-11", &[])).unwrap();
    assert_eq!(report.recurring.len(), 1);
    assert_eq!(report.recurring[0].text, "where is my order");
    assert_eq!(report.recurring[0].tickets, 2);
    assert_eq!(report.recurring[0].example_ticket, data.t3.max(data.t1));

    let draft = crate::phrases::PhraseDraft {
        id: "order-status".to_string(),
        category: "orders".to_string(),
        title: "Order status".to_string(),
        body: "Your order is on its way.".to_string(),
        keywords: vec!["where is my order".to_string()],
    };
    store.save_phrase(&draft, now()).unwrap();
    let report = compute(&store, &query("2026-11", &[])).unwrap();
    assert!(report.recurring.is_empty(), "{:?}", report.recurring);
}

#[test]
fn imported_ticket_counts_at_customer_time() {
    let folder = tempfile::tempdir().unwrap();
    let (store, data) = build(folder.path());
    // Created in the database on 12-02, the customer wrote on 11-20.
    let december = compute(&store, &query("2026-12", &[])).unwrap();
    assert_eq!(december.rows[0].created, 0);
    assert_eq!(december.rows[0].resolved, 1);
    // The rating given in December counts there.
    assert_eq!(december.rows[0].csat_responses, 1);
    assert_eq!(december.rows[0].csat_satisfied, 0);
    let day = compute(&store, &query("2026-11-20", &[])).unwrap();
    assert_eq!(day.rows[0].created, 1);
    let _ = (data.t2, data.t4, data.t5);
}

#[test]
fn hour_buckets_across_fall_back() {
    let period = parse_period("2026-11-01", chrono_tz::America::New_York).unwrap();
    let hours = period::buckets(&period, Granularity::Hour);
    // Clocks go back at 02:00 EDT: the day has 25 hours in 24 buckets, and
    // the 01:00 bucket lasts two hours.
    assert_eq!(period.to - period.from, Duration::hours(25));
    assert_eq!(hours.len(), 24);
    assert_eq!(hours[1].label, "2026-11-01 01:00");
    assert_eq!(hours[1].to - hours[1].from, Duration::hours(2));
    assert_eq!(hours[23].label, "2026-11-01 23:00");
}

#[test]
fn parse_period_forms() {
    let month = parse_period("2026-11", SHANGHAI).unwrap();
    assert_eq!(month.from, local(11, 1, 0, 0));
    assert_eq!(month.to, local(12, 1, 0, 0));
    let week = parse_period("2026-W45", SHANGHAI).unwrap();
    assert_eq!(week.from, local(11, 2, 0, 0));
    assert_eq!(week.to, local(11, 9, 0, 0));
    let range = parse_period("2026-11-01..2026-11-15", SHANGHAI).unwrap();
    assert_eq!(range.to, local(11, 16, 0, 0));
    let year = parse_period("2026", SHANGHAI).unwrap();
    assert_eq!(year.from, local(1, 1, 0, 0));
    for bad in [
        "2026-13",
        "november",
        "2026-11-15..2026-11-01",
        "2026-W60",
        "",
    ] {
        let error = parse_period(bad, SHANGHAI).unwrap_err().to_string();
        assert!(error.contains("--period"), "{bad}: {error}");
    }
}

#[test]
fn duration_stats_even_odd() {
    let stats = DurationStats::of(&mut [30, 10, 20]);
    assert_eq!(stats.median, Some(20.0));
    assert_eq!(stats.p90, Some(30.0));
    let mut ten: Vec<i64> = (1..=10).collect();
    let stats = DurationStats::of(&mut ten);
    assert_eq!(stats.median, Some(5.5));
    assert_eq!(stats.p90, Some(9.0));
    assert_eq!(stats.average, Some(5.5));
}

/// Compares the selections with the values of a sorted copy, on every
/// length from 1 to 300 with repeated values.
#[test]
fn duration_stats_match_sorted() {
    let mut state: u64 = 7;
    for count in 1..=300_usize {
        let values: Vec<i64> = (0..count)
            .map(|_| {
                state = state
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                (state >> 33) as i64 % 50
            })
            .collect();
        let mut sorted = values.clone();
        sorted.sort_unstable();
        let middle = count / 2;
        let median = if count % 2 == 1 {
            sorted[middle] as f64
        } else {
            (sorted[middle - 1] + sorted[middle]) as f64 / 2.0
        };
        let p90 = sorted[(count * 9).div_ceil(10) - 1] as f64;
        let stats = DurationStats::of(&mut values.clone());
        assert_eq!(stats.median, Some(median), "median of {values:?}");
        assert_eq!(stats.p90, Some(p90), "p90 of {values:?}");
        assert_eq!(stats.count, count as u64, "count of {values:?}");
    }
}

#[test]
fn metrics_table_cells() {
    let folder = tempfile::tempdir().unwrap();
    let (store, _) = build(folder.path());
    let report = compute(&store, &query("2026-11", &[Dimension::Agent])).unwrap();
    let table = report.metrics_table();
    assert_eq!(table.columns[0], "agent");
    assert_eq!(table.columns[1], "created");
    let csat = table
        .columns
        .iter()
        .position(|name| name == "csat")
        .unwrap();
    assert_eq!(table.rows[1][csat], kefu_report::Cell::Number(0.5));
    // wang has no first response: an empty cell, not zero.
    let average = table
        .columns
        .iter()
        .position(|name| name == "first_response_avg_h")
        .unwrap();
    assert_eq!(table.rows[2][average], kefu_report::Cell::Empty);
    assert_eq!(table.rows[2][1], kefu_report::Cell::Integer(1));
}

#[test]
fn drill_down_matches_every_count() {
    let folder = tempfile::tempdir().unwrap();
    let (store, _) = build(folder.path());
    let groupings: [&[Dimension]; 6] = [
        &[],
        &[Dimension::Agent],
        &[Dimension::Channel],
        &[Dimension::Ticket],
        &[Dimension::Time(Granularity::Day)],
        &[Dimension::TicketType, Dimension::Time(Granularity::Week)],
    ];
    for by in groupings {
        let query = query("2026-11", by);
        let report = compute(&store, &query).unwrap();
        for row in &report.rows {
            let counts = [
                (TicketCount::Created, row.created),
                (TicketCount::Resolved, row.resolved),
                (TicketCount::Backlog, row.backlog),
            ];
            for (count, expected) in counts {
                let tickets = tickets_counted(&store, &query, &row.key, count).unwrap();
                assert_eq!(
                    tickets.len() as u64,
                    expected,
                    "{count:?} of row {:?} by {by:?}: {tickets:?}",
                    row.key
                );
            }
        }
    }
}

#[test]
fn drill_down_lists_hand_worked_tickets() {
    let folder = tempfile::tempdir().unwrap();
    let (store, data) = build(folder.path());
    let key = |value: &str| vec![value.to_string()];
    let sorted = |mut ids: Vec<i64>| {
        ids.sort_unstable();
        ids
    };

    let by_agent = query("2026-11", &[Dimension::Agent]);
    let lin_created = tickets_counted(&store, &by_agent, &key("lin"), TicketCount::Created);
    assert_eq!(
        lin_created.unwrap(),
        sorted(vec![data.t1, data.t2, data.t5])
    );
    let wang_backlog = tickets_counted(&store, &by_agent, &key("wang"), TicketCount::Backlog);
    assert_eq!(wang_backlog.unwrap(), [data.t3]);

    let by_day = query("2026-11", &[Dimension::Time(Granularity::Day)]);
    let saturday = tickets_counted(&store, &by_day, &key("2026-11-07"), TicketCount::Backlog);
    assert_eq!(saturday.unwrap(), sorted(vec![data.t2, data.t3, data.t4]));
    let monday = tickets_counted(&store, &by_day, &key("2026-11-09"), TicketCount::Resolved);
    assert_eq!(monday.unwrap(), sorted(vec![data.t2, data.t4]));

    let unknown = tickets_counted(&store, &by_agent, &key("zhao"), TicketCount::Created);
    assert_eq!(unknown.unwrap(), Vec::<i64>::new());
}

#[test]
fn hour_of_week_local_cells() {
    let folder = tempfile::tempdir().unwrap();
    let (store, data) = build(folder.path());
    let query = query("2026-11", &[]);
    let grid = hour_of_week(&store, &query).unwrap();

    // Monday is day 0; the hours are Shanghai time.
    assert_eq!(grid.tickets[0][9], [data.t1]);
    assert_eq!(grid.tickets[1][10], [data.t3]);
    assert_eq!(grid.tickets[4][9], [data.t5]);
    assert_eq!(grid.tickets[4][17], [data.t2]);
    assert_eq!(grid.tickets[5][10], [data.t4]);

    let report = compute(&store, &query).unwrap();
    let total: u64 = (0..7)
        .flat_map(|day| (0..24).map(move |hour| (day, hour)))
        .map(|(day, hour)| grid.count(day, hour))
        .sum();
    assert_eq!(total, report.rows[0].created);
    for peak in &report.peak_hours {
        let hour = peak.hour as usize;
        let cells: u64 = (0..7).map(|day| grid.count(day, hour)).sum();
        assert_eq!(cells, peak.tickets_created, "hour {hour}");
    }
}

#[test]
fn drill_down_reads_tickets_by_id() {
    let folder = tempfile::tempdir().unwrap();
    let (store, data) = build(folder.path());
    let by_agent = query("2026-11", &[Dimension::Agent]);
    let ids = tickets_counted(
        &store,
        &by_agent,
        &["lin".to_string()],
        TicketCount::Created,
    );
    let ids = ids.unwrap();
    let listed: Vec<i64> = store
        .tickets_with_ids(&ids)
        .unwrap()
        .iter()
        .map(|ticket| ticket.id)
        .collect();
    assert_eq!(listed, ids);

    // Any order in, ascending out; an id of no ticket is left out, and
    // each ticket is the one `tickets` lists.
    let unknown = data.t1.max(data.t5) + 1_000;
    let tickets = store
        .tickets_with_ids(&[data.t4, unknown, data.t2])
        .unwrap();
    let mut expected: Vec<_> = store
        .tickets()
        .unwrap()
        .into_iter()
        .filter(|ticket| ticket.id == data.t2 || ticket.id == data.t4)
        .collect();
    expected.sort_by_key(|ticket| ticket.id);
    assert_eq!(tickets, expected);
    assert!(store.tickets_with_ids(&[]).unwrap().is_empty());
}

#[test]
fn report_queries_use_covering_indexes() {
    let folder = tempfile::tempdir().unwrap();
    let (store, _) = build(folder.path());
    let cases = [(compute::RATINGS_SQL, "ratings_rated_at")];
    for (sql, index) in cases {
        let mut statement = store
            .connection()
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .unwrap();
        let plan: Vec<String> = statement
            .query_map(["2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z"], |row| {
                row.get(3)
            })
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let expected = format!("USING COVERING INDEX {index}");
        assert!(
            plan.iter().any(|step| step.contains(&expected)),
            "{sql}: {plan:?}"
        );
    }
}
