//! The generator on small histories in real database files, checked
//! against the store's counts and the report metrics.

use std::path::Path;

use chrono::{DateTime, Datelike, Duration, TimeZone, Utc, Weekday};

use super::text::Language;
use super::*;
use crate::metrics::{self, Dimension, Filters, Granularity, MetricsQuery};

/// Midnight of 2026-12-01 in Shanghai, the built-in SLA time zone.
fn end() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 30, 16, 0, 0).unwrap()
}

fn options(seed: u64) -> DemoOptions {
    DemoOptions::new(200, 60, seed, end())
}

fn generate_into(path: &Path, options: &DemoOptions) -> (Store, DemoSummary) {
    let mut store = Store::open(path).unwrap();
    let summary = generate(&mut store, options, &mut |_, _| {}).unwrap();
    (store, summary)
}

/// Every ticket's fields and history, as text, to compare two databases.
fn fingerprint(store: &Store) -> Vec<String> {
    let mut statement = store
        .connection()
        .prepare(
            "SELECT t.id, t.subject, t.ticket_type, t.priority, t.status, t.assignee,
                    t.created_at, t.first_response_at, t.resolved_at, t.reopen_count,
                    (SELECT group_concat(e.at || ' ' || e.kind || ' ' || e.detail, '; ')
                       FROM ticket_events e WHERE e.ticket_id = t.id),
                    (SELECT group_concat(m.direction || ' ' || m.body_text, '; ')
                       FROM messages m WHERE m.conversation_id = t.conversation_id)
               FROM tickets t ORDER BY t.id",
        )
        .unwrap();
    statement
        .query_map([], |row| {
            let values: Vec<String> = (0..12)
                .map(|index| {
                    row.get::<_, Option<rusqlite::types::Value>>(index)
                        .map(|value| format!("{value:?}"))
                })
                .collect::<Result<_, _>>()?;
            Ok(values.join(" | "))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[test]
fn same_seed_same_data() {
    let folder = tempfile::tempdir().unwrap();
    let (first, first_summary) = generate_into(&folder.path().join("a.db"), &options(7));
    let (second, second_summary) = generate_into(&folder.path().join("b.db"), &options(7));
    let (other, _) = generate_into(&folder.path().join("c.db"), &options(8));

    assert_eq!(first_summary, second_summary);
    assert_eq!(first.counts().unwrap(), second.counts().unwrap());
    let fingerprint_first = fingerprint(&first);
    assert_eq!(fingerprint_first.len(), 400);
    assert_eq!(fingerprint_first, fingerprint(&second));
    assert_ne!(fingerprint_first, fingerprint(&other));
}

#[test]
fn summary_matches_store() {
    let folder = tempfile::tempdir().unwrap();
    let (store, summary) = generate_into(&folder.path().join("kefu.db"), &options(1));
    let counts = store.counts().unwrap();

    assert_eq!(summary.customers, 200);
    assert_eq!(counts.customers, 200);
    assert_eq!(summary.tickets, 400);
    assert_eq!(counts.tickets, 400);
    assert_eq!(counts.conversations, 400);
    assert_eq!(counts.messages, summary.messages);
    assert_eq!(counts.raw_inputs, 400);
    assert_eq!(counts.quarantined, 0);
    assert_eq!(store.agents().unwrap().len() as u64, summary.agents);
    assert!(summary.vip_customers > 0, "{summary:?}");
    assert!(summary.reopened > 0, "{summary:?}");
    assert!(summary.ratings > 0, "{summary:?}");
    assert!(summary.finished > summary.tickets / 2, "{summary:?}");
    assert!(summary.finished < summary.tickets, "{summary:?}");

    let channels: Vec<(String, i64)> = store
        .connection()
        .prepare("SELECT source, count(*) FROM tickets GROUP BY source ORDER BY source")
        .unwrap()
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let names: Vec<&str> = channels.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(names, ["chat", "email", "phone"]);

    let ratings: i64 = store
        .connection()
        .query_row(
            "SELECT count(*) FROM ratings WHERE source = 'message'",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(ratings as u64, summary.ratings);
}

#[test]
fn rating_messages_parse_as_ratings() {
    for score in 1..=5 {
        for language in [Language::Chinese, Language::English] {
            let text = text::rating_message(language, score);
            assert_eq!(crate::store::rating_in_reply(&text), Some(score), "{text}");
        }
    }
}

#[test]
fn second_run_rejected() {
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("kefu.db");
    let (mut store, _) = generate_into(&path, &DemoOptions::new(10, 5, 1, end()));
    let before = store.counts().unwrap();

    let error = generate(
        &mut store,
        &DemoOptions::new(10, 5, 2, end()),
        &mut |_, _| {},
    )
    .unwrap_err()
    .to_string();
    assert!(
        error.contains("holds generated demo data already"),
        "{error}"
    );
    assert!(error.contains("--db"), "{error}");
    assert_eq!(store.counts().unwrap(), before);
}

#[test]
fn invalid_options_rejected() {
    let folder = tempfile::tempdir().unwrap();
    let mut store = Store::open(&folder.path().join("kefu.db")).unwrap();
    let cases = [
        (DemoOptions::new(0, 5, 1, end()), "--customers 0"),
        (DemoOptions::new(5, 0, 1, end()), "--days 0"),
        (DemoOptions::new(5, 4000, 1, end()), "--days 4000"),
    ];
    for (options, expected) in cases {
        let error = generate(&mut store, &options, &mut |_, _| {})
            .unwrap_err()
            .to_string();
        assert!(error.contains(expected), "{error}");
    }
    assert_eq!(store.counts().unwrap().tickets, 0);
}

#[test]
fn metrics_add_up_over_history() {
    let folder = tempfile::tempdir().unwrap();
    let (store, summary) = generate_into(&folder.path().join("kefu.db"), &options(3));
    let time_zone = store.desk().sla.calendar().time_zone();
    // The 60 local days that end at the history's end.
    let period = metrics::parse_period("2026-10-02..2026-11-30", time_zone).unwrap();
    assert_eq!(period.from, end() - Duration::days(60));
    assert_eq!(period.to, end());
    let query = |by: Vec<Dimension>| MetricsQuery {
        period: period.clone(),
        by,
        filters: Filters::default(),
        now: end(),
        recurring_limit: 10,
    };

    let whole = metrics::compute(&store, &query(Vec::new())).unwrap();
    assert_eq!(whole.rows.len(), 1);
    let row = &whole.rows[0];
    assert_eq!(row.created, summary.tickets);
    assert_eq!(row.resolved + row.backlog, row.created);
    assert_eq!(row.resolved, summary.finished);
    assert_eq!(row.csat_responses, summary.ratings);
    assert!(row.sla_met > 0, "{row:?}");
    assert!(row.sla_breached > 0, "{row:?}");
    assert!(
        row.reopened > 0 && row.reopened <= summary.reopened,
        "{row:?}"
    );
    assert!(row.messages_handled > 0, "{row:?}");
    assert_eq!(
        row.first_response.count as u64 + unanswered(&store),
        row.created
    );

    let by_week =
        metrics::compute(&store, &query(vec![Dimension::Time(Granularity::Week)])).unwrap();
    let created: u64 = by_week.rows.iter().map(|row| row.created).sum();
    let resolved: u64 = by_week.rows.iter().map(|row| row.resolved).sum();
    assert_eq!(created, row.created);
    assert_eq!(resolved, row.resolved);
    assert_eq!(by_week.rows.last().unwrap().backlog, row.backlog);

    let by_agent = metrics::compute(&store, &query(vec![Dimension::Agent])).unwrap();
    let created: u64 = by_agent.rows.iter().map(|row| row.created).sum();
    assert_eq!(created, row.created);
    assert!(
        by_agent
            .rows
            .iter()
            .all(|row| row.key[0] != metrics::UNASSIGNED),
        "every generated ticket is assigned at once"
    );
}

/// Counts tickets without a first response.
fn unanswered(store: &Store) -> u64 {
    store
        .connection()
        .query_row(
            "SELECT count(*) FROM tickets WHERE first_response_at IS NULL",
            [],
            |row| row.get::<_, i64>(0),
        )
        .unwrap() as u64
}

#[test]
fn shift_waits_for_duty() {
    let shanghai = chrono_tz::Asia::Shanghai;
    let local = |day: u32, hour: u32, minute: u32| {
        shanghai
            .with_ymd_and_hms(2026, 12, day, hour, minute, 0)
            .unwrap()
            .with_timezone(&Utc)
    };
    let early = plan::agents(&mut ChaCha8Rng::seed_from_u64(1), 1)[0].shift;
    assert_eq!(
        local(4, 9, 0).with_timezone(&shanghai).weekday(),
        Weekday::Fri
    );

    // Friday 09:00 is within 08:30-17:30.
    assert_eq!(early.next_on_duty(local(4, 9, 0), shanghai), local(4, 9, 0));
    // Friday 07:00 waits for 08:30.
    assert_eq!(
        early.next_on_duty(local(4, 7, 0), shanghai),
        local(4, 8, 30)
    );
    // Friday 18:00 waits over the weekend for Monday 08:30.
    assert_eq!(
        early.next_on_duty(local(4, 18, 0), shanghai),
        local(7, 8, 30)
    );
}

#[test]
fn compute_many_matches_compute() {
    let folder = tempfile::tempdir().unwrap();
    let (store, _) = generate_into(&folder.path().join("kefu.db"), &options(5));
    let time_zone = store.desk().sla.calendar().time_zone();
    let months = metrics::parse_period("2026-10-02..2026-11-30", time_zone).unwrap();
    let november = metrics::parse_period("2026-11", time_zone).unwrap();
    let agent = store
        .connection()
        .query_row(
            "SELECT assignee FROM tickets WHERE assignee IS NOT NULL LIMIT 1",
            [],
            |row| row.get::<_, String>(0),
        )
        .unwrap();
    let query =
        |period: &metrics::Period, by: Vec<Dimension>, recurring_limit: usize| MetricsQuery {
            period: period.clone(),
            by,
            filters: Filters::default(),
            now: end() - Duration::days(3),
            recurring_limit,
        };
    let month = Dimension::Time(Granularity::Month);
    let mut queries = vec![
        query(&months, vec![Dimension::Agent, month], 20),
        query(&months, vec![Dimension::TicketType, month], 3),
        query(&months, vec![Dimension::Tier, Dimension::Channel], 0),
        query(&november, vec![Dimension::Time(Granularity::Day)], 5),
        query(&months, vec![Dimension::Ticket], 0),
        query(&months, Vec::new(), 10),
        query(&november, vec![Dimension::Channel, Dimension::Agent], 0),
    ];
    let mut filtered = query(&months, vec![Dimension::Time(Granularity::Week)], 10);
    filtered.filters.agent = Some(agent);
    queries.push(filtered);
    let mut tier = query(&november, vec![Dimension::TicketType], 0);
    tier.filters.tier = Some("vip".to_string());
    queries.push(tier);

    let together = metrics::compute_many(&store, &queries).unwrap();
    assert_eq!(together.len(), queries.len());
    for (query, report) in queries.iter().zip(&together) {
        let alone = metrics::compute(&store, query).unwrap();
        assert!(!alone.rows.is_empty(), "{:?} has no rows", query.by);
        assert_eq!(*report, alone, "{:?} {:?}", query.by, query.filters);
    }
}
