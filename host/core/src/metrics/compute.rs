//! The metrics computation: one pass over the tickets, the messages and the
//! ratings of a period, grouped in memory.

use std::cmp::Ordering;
use std::collections::HashMap;

use anyhow::Context;
use chrono::{DateTime, Duration, Timelike, Utc};
use rusqlite::params;
use rusqlite::types::ValueRef;

use super::period::{Bucket, bucket_index, buckets};
use super::{
    Dimension, DurationStats, MetricsQuery, MetricsReport, MetricsRow, PeakHour, Period,
    RecurringQuestion, UNASSIGNED,
};
use crate::sla::{BusinessCalendar, WorkingTimeTable};
use crate::store::{PhraseFilter, Store, format_time, parse_time};

/// Fields of one ticket that the metrics read.
pub(super) struct TicketFacts {
    pub(super) id: i64,
    conversation_id: i64,
    /// When the customer wrote the message that opened the ticket: the SLA
    /// start of an imported ticket, else its creation.
    pub(super) opened: DateTime<Utc>,
    pub(super) resolved: Option<DateTime<Utc>>,
    first_response: Option<DateTime<Utc>>,
    first_response_due: Option<DateTime<Utc>>,
    resolution_due: Option<DateTime<Utc>>,
    reopened: bool,
    /// Index of the ticket's values of the query's non-time dimensions in
    /// [`LoadedTickets::groups`].
    pub(super) group: usize,
    /// Subject, or the start of the first customer message, for tickets
    /// opened in the period when the query lists recurring questions.
    text: Option<String>,
}

/// The tickets a query counts.
pub(super) struct LoadedTickets {
    pub(super) tickets: Vec<TicketFacts>,
    /// Each distinct combination of values of the query's non-time
    /// dimensions among the tickets, in the query's order.
    pub(super) groups: Vec<Vec<String>>,
}

/// Days before and after the period that the working-time table covers at
/// most. Business durations of spans that start or end further away are
/// walked day by day.
const MAX_TABLE_DAYS: i64 = 3 * 366;

/// Sums of one row before the statistics are taken.
#[derive(Default)]
struct Accumulator {
    created: u64,
    resolved: u64,
    first_response: Vec<i64>,
    first_response_business: Vec<i64>,
    resolution: Vec<i64>,
    resolution_business: Vec<i64>,
    csat_responses: u64,
    csat_satisfied: u64,
    sla_met: u64,
    sla_breached: u64,
    reopened: u64,
    messages_handled: u64,
}

/// Row accumulators by group index and bucket index.
type Groups = HashMap<(usize, usize), Accumulator>;

/// Differences of open tickets per bucket, by group index (see
/// [`add_backlog`]).
type Backlog = HashMap<usize, Vec<i64>>;

/// Computes the metrics that `query` requests from the store's tickets,
/// messages and ratings, using the SLA calendar of the store's desk
/// configuration for business hours and the time zone.
pub fn compute(store: &Store, query: &MetricsQuery) -> anyhow::Result<MetricsReport> {
    let time_dimensions = query
        .by
        .iter()
        .filter(|dimension| matches!(dimension, Dimension::Time(_)))
        .count();
    if time_dimensions > 1 {
        anyhow::bail!("--by names more than one time period; keep one of hour, day, week, month");
    }
    let calendar = store.desk().sla.calendar();
    let period = &query.period;
    let buckets = report_buckets(query);
    let non_time_count = query
        .by
        .iter()
        .filter(|dimension| !matches!(dimension, Dimension::Time(_)))
        .count();

    let with_text = query.recurring_limit > 0;
    let LoadedTickets {
        tickets,
        groups: mut group_values,
    } = load_tickets(store, query, with_text).context("reading tickets for the report")?;
    if non_time_count == 0 && group_values.is_empty() {
        // The one group of a query without non-time dimensions, so that
        // every bucket gets a row even without tickets.
        group_values.push(Vec::new());
    }
    let working_time = working_time_table(calendar, period, &tickets, &buckets);
    let mut groups = Groups::new();
    let mut backlog = Backlog::new();
    let mut peak_hours: Vec<PeakHour> = (0..24)
        .map(|hour| PeakHour {
            hour,
            inbound_messages: 0,
            tickets_created: 0,
        })
        .collect();
    let judged_at = query.now.min(period.to);
    for ticket in &tickets {
        add_ticket(ticket, &buckets, &working_time, judged_at, &mut groups);
        add_backlog(ticket, &buckets, &mut backlog);
        if bucket_index(&buckets, ticket.opened).is_some() {
            let hour = ticket.opened.with_timezone(&period.time_zone).hour();
            peak_hours[hour as usize].tickets_created += 1;
        }
    }

    let ticket_index: HashMap<i64, usize> = tickets
        .iter()
        .enumerate()
        .map(|(index, ticket)| (ticket.id, index))
        .collect();
    add_messages(
        store,
        query,
        &tickets,
        &ticket_index,
        &buckets,
        &mut groups,
        &mut peak_hours,
    )
    .context("reading messages for the report")?;
    add_ratings(store, query, &tickets, &ticket_index, &buckets, &mut groups)
        .context("reading ratings for the report")?;
    let recurring = if with_text {
        recurring_questions(store, &tickets, &buckets, query.recurring_limit)?
    } else {
        Vec::new()
    };

    let rows = build_rows(
        query,
        &buckets,
        calendar,
        &group_values,
        groups,
        backlog,
        non_time_count == 0,
    );
    Ok(MetricsReport {
        time_zone: period.time_zone.name().to_string(),
        from: period.from,
        to: period.to,
        by: query.by.clone(),
        rows,
        peak_hours,
        recurring,
    })
}

/// Returns when the customer of the newest ticket wrote first, the instant
/// the metrics count its creation at, or `None` without tickets. Merged
/// tickets are left out, as the metrics leave them out.
pub fn latest_ticket_opened(store: &Store) -> anyhow::Result<Option<DateTime<Utc>>> {
    let latest: Option<String> = store.connection().query_row(
        "SELECT max(coalesce(sla_start_at, created_at)) FROM tickets WHERE merged_into IS NULL",
        [],
        |row| row.get(0),
    )?;
    Ok(latest.map(|text| parse_time(&text)).transpose()?)
}

/// Returns the time buckets of the query's rows: those of its time
/// dimension, or the whole period as one bucket.
pub(super) fn report_buckets(query: &MetricsQuery) -> Vec<Bucket> {
    let period = &query.period;
    match query.by.iter().find_map(|dimension| match dimension {
        Dimension::Time(granularity) => Some(*granularity),
        _ => None,
    }) {
        Some(granularity) => buckets(period, granularity),
        None => vec![Bucket {
            from: period.from,
            to: period.to,
            label: period.label.clone(),
            local_start: period.from.with_timezone(&period.time_zone).naive_local(),
        }],
    }
}

/// Reads the tickets that `query` counts: those opened before the end of
/// its period that pass its filters, without merged tickets. `with_text`
/// reads the subject or first customer message of the tickets opened in
/// the period, which only the recurring questions need.
pub(super) fn load_tickets(
    store: &Store,
    query: &MetricsQuery,
    with_text: bool,
) -> anyhow::Result<LoadedTickets> {
    let period = &query.period;
    // Merged tickets are duplicates closed by the merge; their messages
    // count for the ticket they were merged into, as later messages do.
    let mut statement = store.connection().prepare(
        "SELECT t.id, t.conversation_id, coalesce(t.sla_start_at, t.created_at), t.resolved_at,
                t.first_response_at, t.first_response_due, t.resolution_due, t.reopen_count,
                coalesce(t.assignee, ?3), t.ticket_type, cu.tier, t.source,
                CASE WHEN ?8 AND coalesce(t.sla_start_at, t.created_at) >= ?1 THEN
                    coalesce(t.subject,
                             (SELECT substr(m.body_text, 1, 200) FROM messages m
                               WHERE m.conversation_id = t.conversation_id
                                 AND m.direction = 'inbound'
                               ORDER BY m.id LIMIT 1))
                END
           FROM tickets t
           JOIN conversations c ON c.id = t.conversation_id
           JOIN customers cu ON cu.id = c.customer_id
          WHERE coalesce(t.sla_start_at, t.created_at) < ?2
            AND t.merged_into IS NULL
            AND (?4 IS NULL OR coalesce(t.assignee, ?3) = ?4)
            AND (?5 IS NULL OR t.ticket_type = ?5)
            AND (?6 IS NULL OR cu.tier = ?6)
            AND (?7 IS NULL OR t.source = ?7)",
    )?;
    let filters = &query.filters;
    let mut rows = statement.query(params![
        format_time(period.from),
        format_time(period.to),
        UNASSIGNED,
        filters.agent,
        filters.ticket_type,
        filters.tier,
        filters.channel,
        with_text,
    ])?;
    let mut group_index = GroupIndex::new(&query.by);
    let mut tickets = Vec::new();
    while let Some(row) = rows.next()? {
        let id: i64 = row.get(0)?;
        let id_text = id.to_string();
        let values = [
            text_column(row, 8)?,
            text_column(row, 9)?,
            text_column(row, 10)?,
            text_column(row, 11)?,
            id_text.as_str(),
        ];
        let group = group_index.index(values);
        tickets.push(TicketFacts {
            id,
            conversation_id: row.get(1)?,
            opened: parse_time(text_column(row, 2)?)?,
            resolved: time_column(row, 3)?,
            first_response: time_column(row, 4)?,
            first_response_due: time_column(row, 5)?,
            resolution_due: time_column(row, 6)?,
            reopened: row.get::<_, i64>(7)? > 0,
            group,
            text: row.get(12)?,
        });
    }
    Ok(LoadedTickets {
        tickets,
        groups: group_index.values,
    })
}

/// Borrows a text column of a row without copying it.
fn text_column<'a>(row: &'a rusqlite::Row<'_>, index: usize) -> rusqlite::Result<&'a str> {
    row.get_ref(index)?.as_str().map_err(|error| {
        rusqlite::Error::FromSqlConversionFailure(index, rusqlite::types::Type::Text, error.into())
    })
}

/// Reads a time column that may be NULL.
fn time_column(row: &rusqlite::Row<'_>, index: usize) -> rusqlite::Result<Option<DateTime<Utc>>> {
    match row.get_ref(index)? {
        ValueRef::Null => Ok(None),
        _ => parse_time(text_column(row, index)?).map(Some),
    }
}

/// Numbers the distinct combinations of a query's non-time dimension values
/// in the order they are first seen.
struct GroupIndex {
    /// Which of the ticket's five dimension values (agent, type, tier,
    /// channel, id) each non-time dimension of the query takes, in its
    /// order.
    columns: Vec<usize>,
    /// Number of each distinct dimension value.
    value_numbers: HashMap<String, u32>,
    /// Group index of each combination of value numbers.
    indexes: HashMap<Vec<u32>, usize>,
    /// The values of each group, in the query's order.
    values: Vec<Vec<String>>,
    /// The combination being looked up, kept to reuse its allocation.
    key: Vec<u32>,
}

impl GroupIndex {
    fn new(by: &[Dimension]) -> Self {
        let columns = by
            .iter()
            .filter_map(|dimension| match dimension {
                Dimension::Agent => Some(0),
                Dimension::TicketType => Some(1),
                Dimension::Tier => Some(2),
                Dimension::Channel => Some(3),
                Dimension::Ticket => Some(4),
                Dimension::Time(_) => None,
            })
            .collect();
        Self {
            columns,
            value_numbers: HashMap::new(),
            indexes: HashMap::new(),
            values: Vec::new(),
            key: Vec::new(),
        }
    }

    /// Returns the group index of a ticket with these agent, type, tier,
    /// channel and id values.
    fn index(&mut self, ticket_values: [&str; 5]) -> usize {
        self.key.clear();
        for &column in &self.columns {
            let value = ticket_values[column];
            let number = match self.value_numbers.get(value) {
                Some(&number) => number,
                None => {
                    let number = self.value_numbers.len() as u32;
                    self.value_numbers.insert(value.to_string(), number);
                    number
                }
            };
            self.key.push(number);
        }
        if let Some(&index) = self.indexes.get(self.key.as_slice()) {
            return index;
        }
        let index = self.values.len();
        self.values.push(
            self.columns
                .iter()
                .map(|&column| ticket_values[column].to_string())
                .collect(),
        );
        self.indexes.insert(self.key.clone(), index);
        index
    }
}

/// Builds the table of working intervals that the business-time durations
/// of the report need: from the earliest opening to the latest first
/// response or resolution that a bucket counts, cut at
/// [`MAX_TABLE_DAYS`] around the period.
fn working_time_table<'a>(
    calendar: &'a BusinessCalendar,
    period: &Period,
    tickets: &[TicketFacts],
    buckets: &[Bucket],
) -> WorkingTimeTable<'a> {
    let (mut from, mut to) = (period.from, period.from);
    let mut include = |start: DateTime<Utc>, end: DateTime<Utc>| {
        from = from.min(start);
        to = to.max(end);
    };
    for ticket in tickets {
        if let Some(responded) = ticket.first_response
            && bucket_index(buckets, ticket.opened).is_some()
        {
            include(ticket.opened, responded);
        }
        if let Some(resolved) = ticket.resolved
            && bucket_index(buckets, resolved).is_some()
        {
            include(ticket.opened, resolved);
        }
    }
    let limit = Duration::days(MAX_TABLE_DAYS);
    calendar.working_time_table(from.max(period.from - limit), to.min(period.to + limit))
}

/// Adds a ticket's creation, first response, resolution and SLA outcomes
/// to the rows of the buckets they fall in.
fn add_ticket(
    ticket: &TicketFacts,
    buckets: &[Bucket],
    working_time: &WorkingTimeTable<'_>,
    judged_at: DateTime<Utc>,
    groups: &mut Groups,
) {
    if let Some(index) = bucket_index(buckets, ticket.opened) {
        let row = groups.entry((ticket.group, index)).or_default();
        row.created += 1;
        if let Some(responded) = ticket.first_response {
            row.first_response
                .push((responded - ticket.opened).num_seconds().max(0));
            row.first_response_business
                .push(working_time.between(ticket.opened, responded).num_seconds());
        }
        let outcomes = [
            sla_outcome(ticket.first_response_due, ticket.first_response, judged_at),
            sla_outcome(ticket.resolution_due, ticket.resolved, judged_at),
        ];
        for outcome in outcomes.into_iter().flatten() {
            if outcome {
                row.sla_met += 1;
            } else {
                row.sla_breached += 1;
            }
        }
    }
    if let Some(resolved) = ticket.resolved
        && let Some(index) = bucket_index(buckets, resolved)
    {
        let row = groups.entry((ticket.group, index)).or_default();
        row.resolved += 1;
        row.resolution
            .push((resolved - ticket.opened).num_seconds().max(0));
        row.resolution_business
            .push(working_time.between(ticket.opened, resolved).num_seconds());
        if ticket.reopened {
            row.reopened += 1;
        }
    }
}

/// Returns whether an SLA target was met (`Some(true)`), breached
/// (`Some(false)`), or has no deadline or is still running (`None`).
fn sla_outcome(
    due: Option<DateTime<Utc>>,
    done: Option<DateTime<Utc>>,
    judged_at: DateTime<Utc>,
) -> Option<bool> {
    let due = due?;
    match done {
        Some(done) => Some(done <= due),
        None if due < judged_at => Some(false),
        None => None,
    }
}

/// Returns the indexes of the buckets at whose end the ticket is open:
/// created before the end and not resolved by then.
pub(super) fn open_buckets(ticket: &TicketFacts, buckets: &[Bucket]) -> std::ops::Range<usize> {
    let first = buckets.partition_point(|bucket| bucket.to <= ticket.opened);
    let end = match ticket.resolved {
        Some(resolved) => buckets.partition_point(|bucket| bucket.to <= resolved),
        None => buckets.len(),
    };
    first..end
}

/// Counts the ticket as open at the end of each bucket it was open at:
/// created before the bucket's end and not resolved by then. Uses a
/// difference array, so a ticket costs two updates however many buckets
/// it spans.
fn add_backlog(ticket: &TicketFacts, buckets: &[Bucket], backlog: &mut Backlog) {
    let open = open_buckets(ticket, buckets);
    let (first, end) = (open.start, open.end);
    if first >= end {
        return;
    }
    let counts = backlog
        .entry(ticket.group)
        .or_insert_with(|| vec![0; buckets.len() + 1]);
    counts[first] += 1;
    counts[end] -= 1;
}

/// Counts the team's messages for the ticket they belong to and the
/// customers' messages per hour of the day. A message belongs to the
/// newest ticket of its conversation opened at or before it, or to the
/// first ticket when it is older than all of them. A merged ticket's
/// messages belong to the ticket it was merged into. Automatic messages
/// (auto-replies, bounces, bulk mail) are not counted.
fn add_messages(
    store: &Store,
    query: &MetricsQuery,
    tickets: &[TicketFacts],
    ticket_index: &HashMap<i64, usize>,
    buckets: &[Bucket],
    groups: &mut Groups,
    peak_hours: &mut [PeakHour],
) -> anyhow::Result<()> {
    let mut by_conversation: HashMap<i64, Vec<usize>> = HashMap::new();
    for (index, ticket) in tickets.iter().enumerate() {
        by_conversation
            .entry(ticket.conversation_id)
            .or_default()
            .push(index);
    }
    let mut merged = store.connection().prepare(
        "SELECT conversation_id, merged_into FROM tickets WHERE merged_into IS NOT NULL",
    )?;
    let merged: Vec<(i64, i64)> = merged
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<Result<_, _>>()?;
    for (conversation_id, into) in merged {
        if let Some(&index) = ticket_index.get(&into) {
            let list = by_conversation.entry(conversation_id).or_default();
            if list.is_empty() {
                list.push(index);
            }
        }
    }
    for list in by_conversation.values_mut() {
        list.sort_by_key(|&index| (tickets[index].opened, tickets[index].id));
    }
    let filtered = query.filters != super::Filters::default();

    let mut statement = store.connection().prepare(
        "SELECT conversation_id, direction, coalesce(sent_at, received_at) FROM messages
          WHERE coalesce(sent_at, received_at) >= ?1 AND coalesce(sent_at, received_at) < ?2
            AND automation_kind IS NULL",
    )?;
    let mut rows = statement.query(params![
        format_time(query.period.from),
        format_time(query.period.to)
    ])?;
    while let Some(row) = rows.next()? {
        let conversation_id: i64 = row.get(0)?;
        let inbound = row.get_ref(1)?.as_str()? == "inbound";
        let at = parse_time(row.get_ref(2)?.as_str()?)?;
        let ticket = by_conversation.get(&conversation_id).map(|list| {
            let newer = list.partition_point(|&index| tickets[index].opened <= at);
            &tickets[list[newer.saturating_sub(1)]]
        });
        if inbound {
            if ticket.is_some() || !filtered {
                let hour = at.with_timezone(&query.period.time_zone).hour();
                peak_hours[hour as usize].inbound_messages += 1;
            }
        } else if let Some(ticket) = ticket
            && let Some(index) = bucket_index(buckets, at)
        {
            groups
                .entry((ticket.group, index))
                .or_default()
                .messages_handled += 1;
        }
    }
    Ok(())
}

/// Counts the ratings given in the period: the latest per ticket, in the
/// bucket it was given in.
fn add_ratings(
    store: &Store,
    query: &MetricsQuery,
    tickets: &[TicketFacts],
    ticket_index: &HashMap<i64, usize>,
    buckets: &[Bucket],
    groups: &mut Groups,
) -> anyhow::Result<()> {
    let mut statement = store.connection().prepare(
        "SELECT ticket_id, score, rated_at FROM ratings
          WHERE rated_at >= ?1 AND rated_at < ?2
          ORDER BY rated_at, id",
    )?;
    let mut latest: HashMap<i64, (u8, DateTime<Utc>)> = HashMap::new();
    let mut rows = statement.query(params![
        format_time(query.period.from),
        format_time(query.period.to)
    ])?;
    while let Some(row) = rows.next()? {
        let rated_at = parse_time(row.get_ref(2)?.as_str()?)?;
        latest.insert(row.get(0)?, (row.get(1)?, rated_at));
    }
    for (ticket_id, (score, rated_at)) in latest {
        let Some(&ticket) = ticket_index.get(&ticket_id) else {
            continue;
        };
        let Some(index) = bucket_index(buckets, rated_at) else {
            continue;
        };
        let row = groups.entry((tickets[ticket].group, index)).or_default();
        row.csat_responses += 1;
        if score >= 4 {
            row.csat_satisfied += 1;
        }
    }
    Ok(())
}

/// Lists the texts customers opened at least two tickets of the period
/// with that no stored canned reply matches, most frequent first.
fn recurring_questions(
    store: &Store,
    tickets: &[TicketFacts],
    buckets: &[Bucket],
    limit: usize,
) -> anyhow::Result<Vec<RecurringQuestion>> {
    let mut counts: HashMap<String, (u64, i64)> = HashMap::new();
    for ticket in tickets {
        if bucket_index(buckets, ticket.opened).is_none() {
            continue;
        }
        let Some(text) = ticket.text.as_deref().map(normalize_question) else {
            continue;
        };
        if text.is_empty() {
            continue;
        }
        let entry = counts.entry(text).or_insert((0, ticket.id));
        entry.0 += 1;
        entry.1 = entry.1.max(ticket.id);
    }
    let mut frequent: Vec<(String, (u64, i64))> = counts
        .into_iter()
        .filter(|(_, (count, _))| *count >= 2)
        .collect();
    frequent.sort_by(|a, b| b.1.0.cmp(&a.1.0).then_with(|| a.0.cmp(&b.0)));
    let phrases = store.phrases(&PhraseFilter::default())?;
    Ok(frequent
        .into_iter()
        .filter(|(text, _)| crate::phrases::suggest(&phrases, text, 1).is_empty())
        .take(limit)
        .map(|(text, (tickets, example_ticket))| RecurringQuestion {
            text,
            tickets,
            example_ticket,
        })
        .collect())
}

/// Reduces a subject or message to the phrasing customers share: its first
/// line, lowercased, without reply and forward prefixes, with whitespace
/// collapsed and at most 100 characters.
pub(crate) fn normalize_question(text: &str) -> String {
    let line = text
        .lines()
        .find(|line| !line.trim().is_empty())
        .unwrap_or("");
    let mut line = line.trim().to_lowercase();
    loop {
        let stripped = [
            "re:",
            "re：",
            "fw:",
            "fwd:",
            "回复:",
            "回复：",
            "转发:",
            "转发：",
        ]
        .iter()
        .find_map(|prefix| line.strip_prefix(prefix))
        .map(|rest| rest.trim_start().to_string());
        match stripped {
            Some(rest) => line = rest,
            None => break,
        }
    }
    let collapsed: Vec<&str> = line.split_whitespace().collect();
    collapsed
        .join(" ")
        .trim_matches(|c: char| c.is_ascii_punctuation() || "？！。，".contains(c))
        .chars()
        .take(100)
        .collect()
}

/// A part of a row's sort key: dimension text, a ticket id so that ticket
/// 9 sorts before ticket 10, or a bucket's position so that periods sort
/// in time order.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
enum SortPart {
    Text(String),
    Number(i64),
    Bucket(usize),
}

/// Returns the key of the row for a non-time group and a bucket: the
/// values of the query's dimensions in its order.
pub(super) fn row_key(query: &MetricsQuery, group: &[String], bucket: &Bucket) -> Vec<String> {
    let mut values = group.iter();
    query
        .by
        .iter()
        .map(|dimension| match dimension {
            Dimension::Time(_) => bucket.label.clone(),
            _ => values.next().cloned().unwrap_or_default(),
        })
        .collect()
}

fn build_rows(
    query: &MetricsQuery,
    buckets: &[Bucket],
    calendar: &BusinessCalendar,
    group_values: &[Vec<String>],
    mut groups: Groups,
    backlog: Backlog,
    every_bucket: bool,
) -> Vec<MetricsRow> {
    let mut open_at_end: HashMap<(usize, usize), u64> = HashMap::new();
    for (group, differences) in backlog {
        let mut open = 0;
        for (index, difference) in differences.iter().take(buckets.len()).enumerate() {
            open += difference;
            if open > 0 {
                open_at_end.insert((group, index), open as u64);
            }
        }
    }
    for key in open_at_end.keys() {
        groups.entry(*key).or_default();
    }
    if every_bucket {
        // Without non-time dimensions, group 0 has no values.
        for index in 0..buckets.len() {
            groups.entry((0, index)).or_default();
        }
    }
    let has_time = query
        .by
        .iter()
        .any(|dimension| matches!(dimension, Dimension::Time(_)));
    let working_hours: Vec<f64> = buckets
        .iter()
        .map(|bucket| calendar.between(bucket.from, bucket.to).num_seconds() as f64 / 3600.0)
        .collect();

    let mut rows: Vec<(Vec<SortPart>, MetricsRow)> = groups
        .into_iter()
        .map(|((group, index), mut sums)| {
            let values = &group_values[group];
            let key = row_key(query, values, &buckets[index]);
            let mut values = values.iter();
            let sort: Vec<SortPart> = query
                .by
                .iter()
                .map(|dimension| match dimension {
                    Dimension::Time(_) => SortPart::Bucket(index),
                    Dimension::Ticket => {
                        let value = values.next().map(String::as_str).unwrap_or_default();
                        SortPart::Number(value.parse().unwrap_or_default())
                    }
                    _ => SortPart::Text(values.next().cloned().unwrap_or_default()),
                })
                .collect();
            let backlog = open_at_end.get(&(group, index)).copied().unwrap_or(0);
            let row = MetricsRow {
                key,
                period_start: has_time.then_some(buckets[index].local_start),
                created: sums.created,
                resolved: sums.resolved,
                backlog,
                first_response: DurationStats::of(&mut sums.first_response),
                first_response_business: DurationStats::of(&mut sums.first_response_business),
                resolution: DurationStats::of(&mut sums.resolution),
                resolution_business: DurationStats::of(&mut sums.resolution_business),
                csat_responses: sums.csat_responses,
                csat_satisfied: sums.csat_satisfied,
                sla_met: sums.sla_met,
                sla_breached: sums.sla_breached,
                reopened: sums.reopened,
                messages_handled: sums.messages_handled,
                working_hours: working_hours[index],
            };
            (sort, row)
        })
        .collect();
    rows.sort_by(|a, b| a.0.partial_cmp(&b.0).unwrap_or(Ordering::Equal));
    rows.into_iter().map(|(_, row)| row).collect()
}
