//! The metrics computation: one pass over the tickets, the messages and the
//! ratings of a period, grouped in memory. Several queries over the same
//! period and filters share that pass.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

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

/// Hash map for the integer keys of the computation: ticket, group and
/// bucket numbers, row ids. A report over a year makes millions of lookups,
/// and the standard SipHash costs more than the rest of a lookup. The keys
/// come from the store, not from input that could choose colliding keys.
type IdMap<K, V> = HashMap<K, V, BuildHasherDefault<IdHasher>>;

/// Hash map for the subjects and first lines of a report's tickets, which
/// customers write. Foldhash 0.2 is several times faster than the standard
/// SipHash on short strings and takes a random seed per map, which its
/// documentation calls "minimally DoS-resistant": enough against inputs
/// chosen without seeing the map, as a customer's subjects are.
type TextMap<V> = HashMap<String, V, foldhash::fast::RandomState>;

/// [`TextMap`] keyed by the stored bytes, so a text already counted is
/// found without checking that it is UTF-8 again. Every key is UTF-8.
type TextBytesMap<V> = HashMap<Vec<u8>, V, foldhash::fast::RandomState>;

/// Hasher of [`IdMap`]: the multiply-rotate step of the Fx hash that rustc
/// uses for its own integer-keyed tables.
#[derive(Default)]
struct IdHasher(u64);

impl Hasher for IdHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(word));
        }
    }

    fn write_u64(&mut self, value: u64) {
        const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        self.0 = (self.0.rotate_left(5) ^ value).wrapping_mul(SEED);
    }

    fn write_usize(&mut self, value: usize) {
        self.write_u64(value as u64);
    }

    fn write_i64(&mut self, value: i64) {
        self.write_u64(value as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// Fields of one ticket that the metrics read. Times are Unix seconds,
/// which compare and subtract without the date conversions of
/// `DateTime`.
pub(super) struct TicketFacts {
    pub(super) id: i64,
    conversation_id: i64,
    /// When the customer wrote the message that opened the ticket: the SLA
    /// start of an imported ticket, else its creation.
    pub(super) opened: i64,
    pub(super) resolved: Option<i64>,
    first_response: Option<i64>,
    first_response_due: Option<i64>,
    resolution_due: Option<i64>,
    reopened: bool,
    /// Numbers of the ticket's agent, type, tier and channel in
    /// [`LoadedTickets::values`]. A value that was not read is 0.
    dimension_values: [u32; 4],
}

/// The tickets of one period and set of filters.
pub(super) struct LoadedTickets {
    pub(super) tickets: Vec<TicketFacts>,
    /// Each distinct agent, type, tier and channel value among the tickets,
    /// numbered by [`TicketFacts::dimension_values`].
    values: Vec<String>,
    /// Each distinct subject, or start of the first customer message, of
    /// the tickets opened in the period, as stored, with the number of
    /// those tickets and the greatest ticket id. Read only when the
    /// columns include the text.
    texts: TextBytesMap<(u64, i64)>,
}

/// Ticket columns that a set of queries reads.
#[derive(Clone, Copy, Default)]
pub(super) struct TicketColumns {
    /// Agent, type, tier and channel, in [`TicketFacts::dimension_values`]
    /// order.
    dimensions: [bool; 4],
    /// The subject or first customer message, for recurring questions.
    text: bool,
}

impl TicketColumns {
    /// Returns the columns that grouping by `by` needs.
    pub(super) fn for_dimensions(by: &[Dimension]) -> Self {
        let mut columns = Self::default();
        for dimension in by {
            if let Some(column) = dimension_column(*dimension) {
                columns.dimensions[column] = true;
            }
        }
        columns
    }

    fn union(self, other: Self) -> Self {
        let mut dimensions = self.dimensions;
        for (column, needed) in dimensions.iter_mut().zip(other.dimensions) {
            *column |= needed;
        }
        Self {
            dimensions,
            text: self.text || other.text,
        }
    }
}

/// Index of a non-time dimension's value in
/// [`TicketFacts::dimension_values`]; `None` for the ticket id and time.
fn dimension_column(dimension: Dimension) -> Option<usize> {
    match dimension {
        Dimension::Agent => Some(0),
        Dimension::TicketType => Some(1),
        Dimension::Tier => Some(2),
        Dimension::Channel => Some(3),
        Dimension::Ticket | Dimension::Time(_) => None,
    }
}

/// The groups of one query: the distinct combinations of values of its
/// non-time dimensions among the tickets.
pub(super) struct Grouping {
    /// Group index of each ticket, in [`LoadedTickets::tickets`] order.
    pub(super) of_ticket: Vec<usize>,
    /// Values of each group, in the query's order.
    pub(super) values: Vec<Vec<String>>,
}

impl LoadedTickets {
    /// Groups the tickets by the non-time dimensions of `by`, numbering the
    /// groups in the order their first ticket appears.
    pub(super) fn group_by(&self, by: &[Dimension]) -> Grouping {
        let columns: Vec<Option<usize>> = by
            .iter()
            .filter(|dimension| !matches!(dimension, Dimension::Time(_)))
            .map(|&dimension| dimension_column(dimension))
            .collect();
        let mut indexes: IdMap<Vec<i64>, usize> = IdMap::default();
        let mut values: Vec<Vec<String>> = Vec::new();
        let mut key = Vec::with_capacity(columns.len());
        let mut of_ticket = Vec::with_capacity(self.tickets.len());
        for ticket in &self.tickets {
            // Each key part is a value number, or the id for the ticket
            // dimension.
            key.clear();
            key.extend(columns.iter().map(|column| match column {
                Some(column) => i64::from(ticket.dimension_values[*column]),
                None => ticket.id,
            }));
            let group = match indexes.get(key.as_slice()) {
                Some(&group) => group,
                None => {
                    let group = values.len();
                    values.push(
                        columns
                            .iter()
                            .map(|column| match column {
                                Some(column) => {
                                    let number = ticket.dimension_values[*column];
                                    self.values[number as usize].clone()
                                }
                                None => ticket.id.to_string(),
                            })
                            .collect(),
                    );
                    indexes.insert(key.clone(), group);
                    group
                }
            };
            of_ticket.push(group);
        }
        Grouping { of_ticket, values }
    }
}

/// Days before and after the period that the working-time table covers at
/// most. Business durations of spans that start or end further away are
/// walked day by day.
const MAX_TABLE_DAYS: i64 = 3 * 366;

/// The send times of the messages the metrics count, one row per chunk of
/// up to 64 messages of a conversation, for the chunks with a message in
/// the period `[?1, ?2)` of Unix seconds.
/// Triggers keep `report_message_times` equal to the messages table
/// without its automatic messages. A row whose times are not all Unix
/// seconds has no `first_at`, so it is always read.
pub(super) const MESSAGE_TIMES_SQL: &str =
    "SELECT conversation_id, inbound, outbound FROM report_message_times
      WHERE first_at IS NULL OR (last_at >= ?1 AND first_at < ?2)";

/// The ratings given in the period `[?1, ?2)`. The `ratings_rated_at`
/// index covers every column it names.
pub(super) const RATINGS_SQL: &str = "SELECT ticket_id, score, rated_at, id FROM ratings
      WHERE rated_at >= ?1 AND rated_at < ?2";

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

/// Most rows (groups times buckets) that [`Groups`] keeps in a vector
/// indexed by group and bucket. A query by ticket has more and uses a hash
/// map, because its vector would be mostly empty.
const MAX_DENSE_ROWS: usize = 16_384;

/// Row accumulators by group index and bucket index. A row exists once
/// [`Groups::entry`] returned it, even when nothing was added to it.
enum Groups {
    /// Each row at `group * buckets + bucket`, `None` until it exists.
    Dense {
        buckets: usize,
        rows: Vec<Option<Accumulator>>,
    },
    Sparse(IdMap<(usize, usize), Accumulator>),
}

impl Groups {
    fn new(groups: usize, buckets: usize) -> Self {
        // A query without non-time dimensions has one group without values.
        let rows = groups.max(1).saturating_mul(buckets);
        if rows <= MAX_DENSE_ROWS {
            let mut vector = Vec::new();
            vector.resize_with(rows, || None);
            Self::Dense {
                buckets,
                rows: vector,
            }
        } else {
            Self::Sparse(IdMap::default())
        }
    }

    /// Returns the row of a group and bucket, created empty when missing.
    fn entry(&mut self, group: usize, bucket: usize) -> &mut Accumulator {
        match self {
            Self::Dense { buckets, rows } => {
                rows[group * *buckets + bucket].get_or_insert_with(Accumulator::default)
            }
            Self::Sparse(rows) => rows.entry((group, bucket)).or_default(),
        }
    }

    /// Returns every row that exists with its group and bucket index.
    fn into_rows(self) -> Vec<((usize, usize), Accumulator)> {
        match self {
            Self::Dense { buckets, rows } => rows
                .into_iter()
                .enumerate()
                .filter_map(|(index, row)| Some(((index / buckets, index % buckets), row?)))
                .collect(),
            Self::Sparse(rows) => rows.into_iter().collect(),
        }
    }
}

/// Differences of open tickets per bucket, by group index (see
/// [`add_backlog`]).
/// A group without open tickets has an empty vector.
type Backlog = Vec<Vec<i64>>;

/// The rows of one query while the tickets, messages and ratings are added.
struct QueryRows<'q> {
    query: &'q MetricsQuery,
    buckets: Vec<Bucket>,
    grouping: Grouping,
    groups: Groups,
    backlog: Backlog,
    /// Bounds of `buckets` in Unix seconds.
    bucket_bounds: BucketBounds,
    /// The instant running SLA deadlines are judged at, in Unix seconds
    /// rounded up, so a whole-second deadline compares with it as with the
    /// exact instant.
    judged_at: i64,
}

/// Business durations of one ticket, worked out once for every query of a
/// period.
#[derive(Clone, Copy, Default)]
struct BusinessSeconds {
    /// Opening to first response, for a ticket opened in the period.
    first_response: Option<i64>,
    /// Opening to resolution, for a ticket resolved in the period.
    resolution: Option<i64>,
}

/// Computes the metrics that `query` requests from the store's tickets,
/// messages and ratings, using the SLA calendar of the store's desk
/// configuration for business hours and the time zone.
pub fn compute(store: &Store, query: &MetricsQuery) -> anyhow::Result<MetricsReport> {
    let mut reports = compute_many(store, std::slice::from_ref(query))?;
    Ok(reports.remove(0))
}

/// Computes the report of each query, in the order of `queries`, with the
/// numbers [`compute`] returns for it. Queries with the same period and
/// filters share one read of the tickets, messages and ratings and one
/// working-out of the business durations.
pub fn compute_many(store: &Store, queries: &[MetricsQuery]) -> anyhow::Result<Vec<MetricsReport>> {
    for query in queries {
        let time_dimensions = query
            .by
            .iter()
            .filter(|dimension| matches!(dimension, Dimension::Time(_)))
            .count();
        if time_dimensions > 1 {
            anyhow::bail!(
                "--by names more than one time period; keep one of hour, day, week, month"
            );
        }
    }
    let mut reports: Vec<Option<MetricsReport>> = queries.iter().map(|_| None).collect();
    for first in 0..queries.len() {
        if reports[first].is_some() {
            continue;
        }
        let same_read: Vec<usize> = (first..queries.len())
            .filter(|&index| {
                reports[index].is_none()
                    && queries[index].period == queries[first].period
                    && queries[index].filters == queries[first].filters
            })
            .collect();
        let batch: Vec<&MetricsQuery> = same_read.iter().map(|&index| &queries[index]).collect();
        for (index, report) in same_read.into_iter().zip(compute_batch(store, &batch)?) {
            reports[index] = Some(report);
        }
    }
    Ok(reports.into_iter().flatten().collect())
}

/// Computes queries that share one period and one set of filters from one
/// read of the tickets, messages and ratings.
fn compute_batch(store: &Store, queries: &[&MetricsQuery]) -> anyhow::Result<Vec<MetricsReport>> {
    let calendar = store.desk().sla.calendar();
    let period = &queries[0].period;
    let filters = &queries[0].filters;
    let recurring_limit = queries
        .iter()
        .map(|query| query.recurring_limit)
        .max()
        .unwrap_or(0);
    let columns = queries
        .iter()
        .map(|query| TicketColumns::for_dimensions(&query.by))
        .fold(
            TicketColumns {
                text: recurring_limit > 0,
                ..TicketColumns::default()
            },
            TicketColumns::union,
        );
    let loaded =
        load_tickets(store, period, filters, columns).context("reading tickets for the report")?;
    let tickets = &loaded.tickets;
    let bounds = Bounds::of_period(period);
    let working_time = working_time_table(calendar, period, tickets);
    let business: Vec<BusinessSeconds> = tickets
        .iter()
        .map(|ticket| business_seconds(ticket, bounds, &working_time))
        .collect();

    let mut rows: Vec<QueryRows<'_>> = queries
        .iter()
        .map(|&query| {
            let buckets = report_buckets(query);
            let bucket_bounds = BucketBounds::new(&buckets);
            let grouping = loaded.group_by(&query.by);
            let groups = Groups::new(grouping.values.len(), buckets.len());
            let backlog = vec![Vec::new(); grouping.values.len().max(1)];
            QueryRows {
                query,
                buckets,
                bucket_bounds,
                grouping,
                groups,
                backlog,
                judged_at: ceil_seconds(query.now.min(period.to)),
            }
        })
        .collect();
    let mut peak_hours: Vec<PeakHour> = (0..24)
        .map(|hour| PeakHour {
            hour,
            inbound_messages: 0,
            tickets_created: 0,
        })
        .collect();
    let mut local_hours = LocalHours::new(period);
    for ticket in tickets {
        if bounds.contains(ticket.opened) {
            let hour = local_hours.hour(ticket.opened);
            peak_hours[hour as usize].tickets_created += 1;
        }
    }
    // Queries with the same buckets, such as two by month, share the
    // buckets of each ticket.
    let mut places: Vec<TicketBuckets> = Vec::new();
    for number in 0..rows.len() {
        if number == 0 || rows[number].bucket_bounds != rows[number - 1].bucket_bounds {
            let bounds = &rows[number].bucket_bounds;
            places = tickets
                .iter()
                .map(|ticket| TicketBuckets::new(ticket, bounds))
                .collect();
        }
        let query = &mut rows[number];
        for (index, ticket) in tickets.iter().enumerate() {
            let group = query.grouping.of_ticket[index];
            add_ticket(
                ticket,
                group,
                &places[index],
                business[index],
                &working_time,
                query,
            );
            add_backlog(group, places[index].open.clone(), query);
        }
    }

    let ticket_index = TicketIndex::new(tickets);
    add_messages(
        store,
        period,
        *filters != super::Filters::default(),
        tickets,
        &ticket_index,
        &mut rows,
        &mut peak_hours,
    )
    .context("reading messages for the report")?;
    add_ratings(store, period, &ticket_index, &mut rows)
        .context("reading ratings for the report")?;
    let recurring = if recurring_limit > 0 {
        recurring_questions(store, &loaded.texts, recurring_limit)?
    } else {
        Vec::new()
    };

    Ok(rows
        .into_iter()
        .map(|query_rows| {
            let query = query_rows.query;
            let mut recurring = recurring.clone();
            recurring.truncate(query.recurring_limit);
            MetricsReport {
                time_zone: period.time_zone.name().to_string(),
                from: period.from,
                to: period.to,
                by: query.by.clone(),
                rows: build_rows(query_rows, calendar),
                peak_hours: peak_hours.clone(),
                recurring,
            }
        })
        .collect())
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

/// Reads the tickets opened before the end of `period` that pass
/// `filters`, without merged tickets. `columns` selects the dimension
/// values to read and whether to read the subject or first customer
/// message of the tickets opened in the period, which only the recurring
/// questions need. The customers table is joined only for the tier.
pub(super) fn load_tickets(
    store: &Store,
    period: &Period,
    filters: &super::Filters,
    columns: TicketColumns,
) -> anyhow::Result<LoadedTickets> {
    let with_tier = columns.dimensions[2] || filters.tier.is_some();
    let (tier, join) = if with_tier {
        (
            "cu.tier",
            "JOIN conversations c ON c.id = t.conversation_id
             JOIN customers cu ON cu.id = c.customer_id",
        )
    } else {
        ("NULL", "")
    };
    // A dimension that no query groups by is read as NULL, which SQLite
    // returns without decoding the column.
    let read = |column: usize, expression: &'static str| {
        if columns.dimensions[column] {
            expression
        } else {
            "NULL"
        }
    };
    let (agent, ticket_type, tier_value, channel) = (
        read(0, "coalesce(t.assignee, ?3)"),
        read(1, "t.ticket_type"),
        read(2, tier),
        read(3, "t.source"),
    );
    // Only the filters that are set are written into the query, because
    // SQLite evaluates a condition such as `?4 IS NULL OR ...` on every row.
    let tier_condition = format!("{tier} = ?6");
    let mut conditions = String::new();
    for (set, condition) in [
        (filters.agent.is_some(), "coalesce(t.assignee, ?3) = ?4"),
        (filters.ticket_type.is_some(), "t.ticket_type = ?5"),
        (filters.tier.is_some(), tier_condition.as_str()),
        (filters.channel.is_some(), "t.source = ?7"),
    ] {
        if set {
            conditions.push_str("\n            AND ");
            conditions.push_str(condition);
        }
    }
    // Merged tickets are duplicates closed by the merge; their messages
    // count for the ticket they were merged into, as later messages do.
    // Times are Unix seconds, or a text that SQLite could not read, which
    // is read here and compared after parsing.
    let sql = format!(
        "SELECT t.ticket_id, t.conversation_id, t.opened_at, t.resolved_at, t.first_response_at,
                t.first_response_due, t.resolution_due, t.reopened,
                {agent}, {ticket_type}, {tier_value}, {channel},
                CASE WHEN ?8 AND t.opened_at >= ?1 THEN
                    coalesce(t.subject,
                             (SELECT substr(m.body_text, 1, 200) FROM messages m
                               WHERE m.conversation_id = t.conversation_id
                                 AND m.direction = 'inbound'
                               ORDER BY m.id LIMIT 1))
                END
           FROM report_ticket_facts t
           {join}
          WHERE (t.opened_at < ?2 OR typeof(t.opened_at) = 'text')
            AND t.merged_into IS NULL{conditions}"
    );
    let mut statement = store.connection().prepare_cached(&sql)?;
    let mut rows = statement.query(params![
        period.from.timestamp(),
        period.to.timestamp(),
        UNASSIGNED,
        filters.agent,
        filters.ticket_type,
        filters.tier,
        filters.channel,
        columns.text,
    ])?;
    // The values are agent names, ticket types, tiers and channels that the
    // team configures, so the Fx hash of IdMap is safe for them. They are
    // looked up as bytes, and only a value not seen before is checked to be
    // UTF-8.
    let mut numbers: IdMap<Vec<u8>, u32> = IdMap::default();
    let mut values: Vec<String> = Vec::new();
    let mut texts: TextBytesMap<(u64, i64)> = TextBytesMap::default();
    let mut tickets = Vec::new();
    let bounds = Bounds::of_period(period);
    while let Some(row) = rows.next()? {
        let opened = time_column(row, 2)?.ok_or_else(|| {
            rusqlite::Error::InvalidColumnType(2, "opened_at".into(), rusqlite::types::Type::Null)
        })?;
        if opened >= bounds.to {
            continue;
        }
        let mut dimension_values = [0; 4];
        for (column, number) in dimension_values.iter_mut().enumerate() {
            if !columns.dimensions[column] {
                continue;
            }
            let bytes = row.get_ref(8 + column)?.as_bytes().map_err(|error| {
                rusqlite::Error::FromSqlConversionFailure(
                    8 + column,
                    rusqlite::types::Type::Text,
                    error.into(),
                )
            })?;
            *number = match numbers.get(bytes) {
                Some(&number) => number,
                None => {
                    let value = text_column(row, 8 + column)?;
                    let number = values.len() as u32;
                    numbers.insert(bytes.to_vec(), number);
                    values.push(value.to_string());
                    number
                }
            };
        }
        let id: i64 = row.get(0)?;
        if let ValueRef::Text(text) = row.get_ref(12)?
            && bounds.contains(opened)
        {
            // Only a text not seen before is checked and copied.
            match texts.get_mut(text) {
                Some(entry) => {
                    entry.0 += 1;
                    entry.1 = entry.1.max(id);
                }
                None => {
                    std::str::from_utf8(text).map_err(|error| {
                        rusqlite::Error::FromSqlConversionFailure(
                            12,
                            rusqlite::types::Type::Text,
                            error.into(),
                        )
                    })?;
                    texts.insert(text.to_vec(), (1, id));
                }
            }
        }
        tickets.push(TicketFacts {
            id,
            conversation_id: row.get(1)?,
            opened,
            resolved: time_column(row, 3)?,
            first_response: time_column(row, 4)?,
            first_response_due: time_column(row, 5)?,
            resolution_due: time_column(row, 6)?,
            reopened: row.get::<_, i64>(7)? > 0,
            dimension_values,
        });
    }
    Ok(LoadedTickets {
        tickets,
        values,
        texts,
    })
}

/// Borrows a text column of a row without copying it.
fn text_column<'a>(row: &'a rusqlite::Row<'_>, index: usize) -> rusqlite::Result<&'a str> {
    row.get_ref(index)?.as_str().map_err(|error| {
        rusqlite::Error::FromSqlConversionFailure(index, rusqlite::types::Type::Text, error.into())
    })
}

/// Reads a time column of `report_ticket_facts` that may be NULL as Unix
/// seconds. The column is Unix seconds, or a stored time text that SQLite
/// could not read, whose fraction of a second is dropped as `unixepoch()`
/// drops it. Seconds outside the range that `DateTime` represents are
/// rejected.
fn time_column(row: &rusqlite::Row<'_>, index: usize) -> rusqlite::Result<Option<i64>> {
    match row.get_ref(index)? {
        ValueRef::Null => Ok(None),
        ValueRef::Integer(seconds) => {
            if (MIN_SECONDS..=MAX_SECONDS).contains(&seconds) {
                Ok(Some(seconds))
            } else {
                Err(rusqlite::Error::IntegralValueOutOfRange(index, seconds))
            }
        }
        _ => parse_time(text_column(row, index)?).map(|time| Some(time.timestamp())),
    }
}

/// The range of Unix seconds that `DateTime<Utc>` represents.
const MIN_SECONDS: i64 = DateTime::<Utc>::MIN_UTC.timestamp();
const MAX_SECONDS: i64 = DateTime::<Utc>::MAX_UTC.timestamp();

/// Returns `time` in Unix seconds, rounded up to a whole second. For a
/// whole second `t`, `bound <= t` and `t < bound` hold exactly when they
/// hold for the rounded bound.
pub(super) fn ceil_seconds(time: DateTime<Utc>) -> i64 {
    time.timestamp() + i64::from(time.timestamp_subsec_nanos() > 0)
}

/// Converts Unix seconds that [`time_column`] read back to a `DateTime`.
pub(super) fn to_time(seconds: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(seconds, 0).unwrap_or_default()
}

/// A period `[from, to)` in Unix seconds, rounded up (see
/// [`ceil_seconds`]).
#[derive(Clone, Copy)]
struct Bounds {
    from: i64,
    to: i64,
}

impl Bounds {
    fn of_period(period: &Period) -> Self {
        Self {
            from: ceil_seconds(period.from),
            to: ceil_seconds(period.to),
        }
    }

    /// Returns whether `time` is within the period. Every query's buckets
    /// cover its period without gaps, so this is whether some bucket
    /// contains `time`.
    fn contains(self, time: i64) -> bool {
        self.from <= time && time < self.to
    }
}

/// Builds the table of working intervals that the business-time durations
/// of the report need: from the earliest opening to the latest first
/// response or resolution that the period counts, cut at
/// [`MAX_TABLE_DAYS`] around the period.
fn working_time_table<'a>(
    calendar: &'a BusinessCalendar,
    period: &Period,
    tickets: &[TicketFacts],
) -> WorkingTimeTable<'a> {
    let bounds = Bounds::of_period(period);
    let (mut earliest, mut latest) = (None::<i64>, None::<i64>);
    let mut include = |start: i64, end: i64| {
        earliest = Some(earliest.map_or(start, |earliest| earliest.min(start)));
        latest = Some(latest.map_or(end, |latest| latest.max(end)));
    };
    for ticket in tickets {
        if let Some(responded) = ticket.first_response
            && bounds.contains(ticket.opened)
        {
            include(ticket.opened, responded);
        }
        if let Some(resolved) = ticket.resolved
            && bounds.contains(resolved)
        {
            include(ticket.opened, resolved);
        }
    }
    let from = earliest.map_or(period.from, |earliest| period.from.min(to_time(earliest)));
    let to = latest.map_or(period.from, |latest| period.from.max(to_time(latest)));
    let limit = Duration::days(MAX_TABLE_DAYS);
    calendar.working_time_table(from.max(period.from - limit), to.min(period.to + limit))
}

/// Works out the business durations that the period counts for a ticket.
fn business_seconds(
    ticket: &TicketFacts,
    bounds: Bounds,
    working_time: &WorkingTimeTable<'_>,
) -> BusinessSeconds {
    let first_response = ticket
        .first_response
        .filter(|_| bounds.contains(ticket.opened))
        .map(|responded| working_time.seconds_between(ticket.opened, responded));
    let resolution = ticket
        .resolved
        .filter(|&resolved| bounds.contains(resolved))
        .map(|resolved| working_time.seconds_between(ticket.opened, resolved));
    BusinessSeconds {
        first_response,
        resolution,
    }
}

/// The buckets of one query that a ticket counts in.
struct TicketBuckets {
    /// The bucket the ticket was opened in.
    opened: Option<usize>,
    /// The bucket the ticket was resolved in.
    resolved: Option<usize>,
    /// The buckets at whose end the ticket is open (see [`open_buckets`]).
    open: std::ops::Range<usize>,
}

impl TicketBuckets {
    fn new(ticket: &TicketFacts, bounds: &BucketBounds) -> Self {
        Self {
            opened: bounds.index(ticket.opened),
            resolved: ticket.resolved.and_then(|resolved| bounds.index(resolved)),
            open: open_buckets(ticket, bounds),
        }
    }
}

/// Adds a ticket's creation, first response, resolution and SLA outcomes
/// to the query's rows of the buckets they fall in.
fn add_ticket(
    ticket: &TicketFacts,
    group: usize,
    places: &TicketBuckets,
    business: BusinessSeconds,
    working_time: &WorkingTimeTable<'_>,
    query: &mut QueryRows<'_>,
) {
    if let Some(index) = places.opened {
        let row = query.groups.entry(group, index);
        row.created += 1;
        if let Some(responded) = ticket.first_response {
            row.first_response.push((responded - ticket.opened).max(0));
            let seconds = business
                .first_response
                .unwrap_or_else(|| working_time.seconds_between(ticket.opened, responded));
            row.first_response_business.push(seconds);
        }
        let outcomes = [
            sla_outcome(
                ticket.first_response_due,
                ticket.first_response,
                query.judged_at,
            ),
            sla_outcome(ticket.resolution_due, ticket.resolved, query.judged_at),
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
        && let Some(index) = places.resolved
    {
        let row = query.groups.entry(group, index);
        row.resolved += 1;
        row.resolution.push((resolved - ticket.opened).max(0));
        let seconds = business
            .resolution
            .unwrap_or_else(|| working_time.seconds_between(ticket.opened, resolved));
        row.resolution_business.push(seconds);
        if ticket.reopened {
            row.reopened += 1;
        }
    }
}

/// Returns whether an SLA target was met (`Some(true)`), breached
/// (`Some(false)`), or has no deadline or is still running (`None`).
fn sla_outcome(due: Option<i64>, done: Option<i64>, judged_at: i64) -> Option<bool> {
    let due = due?;
    match done {
        Some(done) => Some(done <= due),
        None if due < judged_at => Some(false),
        None => None,
    }
}

/// Returns the indexes of the buckets at whose end the ticket is open:
/// created before the end and not resolved by then.
pub(super) fn open_buckets(ticket: &TicketFacts, bounds: &BucketBounds) -> std::ops::Range<usize> {
    let first = bounds.ends.partition_point(|&end| end <= ticket.opened);
    let end = match ticket.resolved {
        Some(resolved) => bounds.ends.partition_point(|&end| end <= resolved),
        None => bounds.ends.len(),
    };
    first..end
}

/// Counts a ticket of `group` as open at the end of the buckets in `open`
/// (see [`open_buckets`]). Uses a difference array, so a ticket costs two
/// updates however many buckets it spans.
fn add_backlog(group: usize, open: std::ops::Range<usize>, query: &mut QueryRows<'_>) {
    let (first, end) = (open.start, open.end);
    if first >= end {
        return;
    }
    let buckets = query.buckets.len();
    let counts = &mut query.backlog[group];
    if counts.is_empty() {
        counts.resize(buckets + 1, 0);
    }
    counts[first] += 1;
    counts[end] -= 1;
}

/// Position in [`LoadedTickets::tickets`] of each ticket id. Ticket ids are
/// row ids, so they are usually dense enough for a vector indexed by the
/// id, which is cheaper to build for a year's tickets than a hash map.
enum TicketIndex {
    /// Position of each id from `first_id` on; `u32::MAX` for an id that
    /// was not loaded.
    Dense {
        first_id: i64,
        positions: Vec<u32>,
    },
    Sparse(IdMap<i64, usize>),
}

impl TicketIndex {
    fn new(tickets: &[TicketFacts]) -> Self {
        let first_id = tickets.iter().map(|ticket| ticket.id).min().unwrap_or(0);
        let last_id = tickets.iter().map(|ticket| ticket.id).max().unwrap_or(0);
        let span = last_id.saturating_sub(first_id).saturating_add(1);
        // The vector is at most four times longer than the number of
        // tickets, so sparse ids fall back to the hash map.
        if tickets.len() >= u32::MAX as usize || span > 4 * tickets.len() as i64 + 1024 {
            return Self::Sparse(
                tickets
                    .iter()
                    .enumerate()
                    .map(|(index, ticket)| (ticket.id, index))
                    .collect(),
            );
        }
        let mut positions = vec![u32::MAX; span as usize];
        for (index, ticket) in tickets.iter().enumerate() {
            positions[(ticket.id - first_id) as usize] = index as u32;
        }
        Self::Dense {
            first_id,
            positions,
        }
    }

    /// Returns the position of the ticket with `id`, `None` when it was
    /// not loaded.
    fn get(&self, id: i64) -> Option<usize> {
        match self {
            Self::Dense {
                first_id,
                positions,
            } => {
                let offset = usize::try_from(id.checked_sub(*first_id)?).ok()?;
                let position = *positions.get(offset)?;
                (position != u32::MAX).then_some(position as usize)
            }
            Self::Sparse(positions) => positions.get(&id).copied(),
        }
    }
}

/// The tickets that own each conversation's messages.
struct MessageOwners {
    /// Indexes of the tickets, sorted by conversation, then opening, then
    /// id.
    order: Vec<usize>,
    /// When each ticket of `order` was opened, in Unix seconds.
    opened: Vec<i64>,
    /// Range in `order` of each conversation's tickets.
    ranges: ConversationRanges,
    /// The ticket that a conversation with only merged tickets was merged
    /// into.
    merged: IdMap<i64, usize>,
}

/// Ranges of [`MessageOwners::order`] by conversation id. Conversation ids
/// are row ids, so they are usually dense enough for a vector indexed by
/// the id, which is faster to look up a million times than a hash map.
enum ConversationRanges {
    /// Range of each id from `first_id` on; an empty range for an id
    /// without tickets.
    Dense {
        first_id: i64,
        ranges: Vec<(u32, u32)>,
    },
    Sparse(IdMap<i64, (u32, u32)>),
}

impl ConversationRanges {
    /// Indexes the runs of equal conversation ids in `order`.
    fn new(tickets: &[TicketFacts], order: &[usize]) -> Self {
        let mut runs = Vec::new();
        let mut start = 0;
        while start < order.len() {
            let conversation_id = tickets[order[start]].conversation_id;
            let mut end = start + 1;
            while end < order.len() && tickets[order[end]].conversation_id == conversation_id {
                end += 1;
            }
            runs.push((conversation_id, (start as u32, end as u32)));
            start = end;
        }
        let (Some(&(first_id, _)), Some(&(last_id, _))) = (runs.first(), runs.last()) else {
            return Self::Sparse(IdMap::default());
        };
        // A vector at most four times longer than the number of
        // conversations, so sparse ids fall back to the hash map.
        let span = last_id.saturating_sub(first_id).saturating_add(1);
        if span > 4 * runs.len() as i64 + 1024 {
            return Self::Sparse(runs.into_iter().collect());
        }
        let mut ranges = vec![(0, 0); span as usize];
        for (conversation_id, range) in runs {
            ranges[(conversation_id - first_id) as usize] = range;
        }
        Self::Dense { first_id, ranges }
    }

    /// Returns the range of the conversation's tickets, `None` without
    /// tickets.
    fn get(&self, conversation_id: i64) -> Option<std::ops::Range<usize>> {
        let (start, end) = match self {
            Self::Dense { first_id, ranges } => {
                let offset = usize::try_from(conversation_id.checked_sub(*first_id)?).ok()?;
                *ranges.get(offset)?
            }
            Self::Sparse(ranges) => *ranges.get(&conversation_id)?,
        };
        (start < end).then_some(start as usize..end as usize)
    }
}

impl MessageOwners {
    /// Reads which conversations' tickets were merged into which of
    /// `tickets`.
    fn new(
        store: &Store,
        tickets: &[TicketFacts],
        ticket_index: &TicketIndex,
    ) -> anyhow::Result<Self> {
        let mut order: Vec<usize> = (0..tickets.len()).collect();
        order.sort_unstable_by_key(|&index| {
            let ticket = &tickets[index];
            (ticket.conversation_id, ticket.opened, ticket.id)
        });
        let ranges = ConversationRanges::new(tickets, &order);
        let opened = order.iter().map(|&index| tickets[index].opened).collect();
        let mut statement = store.connection().prepare_cached(
            "SELECT conversation_id, merged_into FROM report_ticket_facts
              WHERE merged_into IS NOT NULL ORDER BY ticket_id",
        )?;
        let merged_rows: Vec<(i64, i64)> = statement
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
            .collect::<Result<_, _>>()?;
        let mut merged = IdMap::default();
        for (conversation_id, into) in merged_rows {
            if let Some(index) = ticket_index.get(into)
                && ranges.get(conversation_id).is_none()
            {
                merged.entry(conversation_id).or_insert(index);
            }
        }
        Ok(Self {
            order,
            opened,
            ranges,
            merged,
        })
    }

    /// Returns the tickets of one conversation, looked up once for all of
    /// its messages.
    fn of_conversation(&self, conversation_id: i64) -> ConversationOwners<'_> {
        if let Some(range) = self.ranges.get(conversation_id) {
            return ConversationOwners::Tickets {
                order: &self.order[range.clone()],
                opened: &self.opened[range],
            };
        }
        match self.merged.get(&conversation_id) {
            Some(&ticket) => ConversationOwners::Merged(ticket),
            None => ConversationOwners::None,
        }
    }
}

/// The tickets that own one conversation's messages.
enum ConversationOwners<'a> {
    /// The conversation's tickets and their openings, by opening then id.
    Tickets {
        order: &'a [usize],
        opened: &'a [i64],
    },
    /// The ticket that the conversation's only tickets were merged into.
    Merged(usize),
    /// No loaded ticket owns the conversation's messages.
    None,
}

impl ConversationOwners<'_> {
    /// Returns the index of the ticket a message sent at `at` (Unix
    /// seconds) belongs to: the newest ticket opened at or before it, or
    /// the first ticket when the message is older than all of them.
    fn owner(&self, at: i64) -> Option<usize> {
        match self {
            Self::Tickets { order, .. } if order.len() == 1 => Some(order[0]),
            Self::Tickets { order, opened } => {
                let newer = opened.partition_point(|&opened| opened <= at);
                Some(order[newer.saturating_sub(1)])
            }
            Self::Merged(ticket) => Some(*ticket),
            Self::None => None,
        }
    }
}

/// Counts the team's messages for the ticket they belong to and the
/// customers' messages per hour of the day. A message belongs to the
/// newest ticket of its conversation opened at or before it, or to the
/// first ticket when it is older than all of them. A merged ticket's
/// messages belong to the ticket it was merged into. Automatic messages
/// (auto-replies, bounces, bulk mail) are not counted.
fn add_messages(
    store: &Store,
    period: &Period,
    filtered: bool,
    tickets: &[TicketFacts],
    ticket_index: &TicketIndex,
    queries: &mut [QueryRows<'_>],
    peak_hours: &mut [PeakHour],
) -> anyhow::Result<()> {
    let owners = MessageOwners::new(store, tickets, ticket_index)?;
    let mut local_hours = LocalHours::new(period);
    let bounds = Bounds::of_period(period);
    // Whether each query has the buckets of the one before, so a message's
    // bucket is found once for both.
    let same_buckets: Vec<bool> = (0..queries.len())
        .map(|number| {
            number > 0 && queries[number].bucket_bounds == queries[number - 1].bucket_bounds
        })
        .collect();
    let mut statement = store.connection().prepare_cached(MESSAGE_TIMES_SQL)?;
    let mut rows = statement.query(params![bounds.from, bounds.to])?;
    while let Some(row) = rows.next()? {
        let conversation_id: i64 = row.get(0)?;
        let conversation_owners = owners.of_conversation(conversation_id);
        for at in message_times(row.get_ref(1)?.as_bytes()?) {
            let at = at.with_context(|| {
                format!("reading the inbound message times of conversation {conversation_id}")
            })?;
            if !bounds.contains(at) {
                continue;
            }
            if !filtered || conversation_owners.owner(at).is_some() {
                peak_hours[local_hours.hour(at) as usize].inbound_messages += 1;
            }
        }
        for at in message_times(row.get_ref(2)?.as_bytes()?) {
            let at = at.with_context(|| {
                format!("reading the outbound message times of conversation {conversation_id}")
            })?;
            if !bounds.contains(at) {
                continue;
            }
            let Some(owner) = conversation_owners.owner(at) else {
                continue;
            };
            let mut bucket = None;
            for (number, query) in queries.iter_mut().enumerate() {
                if !same_buckets[number] {
                    bucket = query.bucket_bounds.index(at);
                }
                if let Some(index) = bucket {
                    let group = query.grouping.of_ticket[owner];
                    query.groups.entry(group, index).messages_handled += 1;
                }
            }
        }
    }
    Ok(())
}

/// The bounds of a query's buckets in Unix seconds rounded up (see
/// [`ceil_seconds`]), for finding the bucket of a time in Unix seconds
/// without converting it.
#[derive(PartialEq, Eq)]
pub(super) struct BucketBounds {
    /// Start of each bucket.
    starts: Vec<i64>,
    /// End of each bucket.
    ends: Vec<i64>,
}

impl BucketBounds {
    pub(super) fn new(buckets: &[Bucket]) -> Self {
        Self {
            starts: buckets
                .iter()
                .map(|bucket| ceil_seconds(bucket.from))
                .collect(),
            ends: buckets
                .iter()
                .map(|bucket| ceil_seconds(bucket.to))
                .collect(),
        }
    }

    /// Returns the index of the bucket that contains `at`, as
    /// [`bucket_index`] does for the same instant.
    pub(super) fn index(&self, at: i64) -> Option<usize> {
        let index = self
            .starts
            .partition_point(|&start| start <= at)
            .checked_sub(1)?;
        (at < self.ends[index]).then_some(index)
    }
}

/// Reads the times of a `report_message_times` list as Unix seconds: each
/// item is Unix seconds, or a stored time text that SQLite could not
/// convert, and each is followed by a comma.
pub(super) fn message_times(list: &[u8]) -> impl Iterator<Item = anyhow::Result<i64>> + '_ {
    list.split(|&byte| byte == b',')
        .filter(|item| !item.is_empty())
        .map(|item| {
            if let Some(seconds) = parse_seconds(item) {
                return Ok(seconds);
            }
            let text = std::str::from_utf8(item).context("a message time is not UTF-8")?;
            Ok(parse_time(text)?.timestamp())
        })
}

/// Reads an optionally negative decimal number of at most 18 digits.
fn parse_seconds(item: &[u8]) -> Option<i64> {
    let (negative, digits) = match item.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, item),
    };
    if digits.is_empty() || digits.len() > 18 {
        return None;
    }
    let mut value: i64 = 0;
    for &digit in digits {
        if !digit.is_ascii_digit() {
            return None;
        }
        value = value * 10 + i64::from(digit - b'0');
    }
    Some(if negative { -value } else { value })
}

/// Local hours of the day of the UTC instants in a period, with the UTC
/// offset of each UTC hour looked up in the time zone once.
struct LocalHours {
    time_zone: chrono_tz::Tz,
    /// The UTC hour (seconds since the epoch divided by 3600) that
    /// `offsets` starts at.
    first_hour: i64,
    /// Offset in seconds of each UTC hour of the period. An entry is `None`
    /// before the first lookup, and `Some(None)` when the offset differs at
    /// the hour's two ends.
    offsets: Vec<Option<Option<i64>>>,
}

impl LocalHours {
    fn new(period: &Period) -> Self {
        let first_hour = period.from.timestamp().div_euclid(3600);
        let last_hour = period.to.timestamp().div_euclid(3600);
        let hours = usize::try_from(last_hour - first_hour + 1).unwrap_or(0);
        Self {
            time_zone: period.time_zone,
            first_hour,
            offsets: vec![None; hours],
        }
    }

    /// Returns the local hour of the day, 0 to 23, of `seconds` since the
    /// epoch.
    fn hour(&mut self, seconds: i64) -> u32 {
        let utc_hour = seconds.div_euclid(3600);
        let slot = usize::try_from(utc_hour - self.first_hour)
            .ok()
            .and_then(|index| self.offsets.get(index).map(|_| index));
        let offset = match slot {
            Some(index) => *self.offsets[index].get_or_insert_with(|| {
                let start = offset_at(self.time_zone, utc_hour * 3600);
                let end = offset_at(self.time_zone, utc_hour * 3600 + 3599);
                (start == end).then_some(start)
            }),
            None => None,
        };
        match offset {
            Some(offset) => (seconds + offset).div_euclid(3600).rem_euclid(24) as u32,
            None => DateTime::from_timestamp(seconds, 0)
                .map_or(0, |at| at.with_timezone(&self.time_zone).hour()),
        }
    }
}

/// Returns the UTC offset of the time zone in seconds at `seconds` since
/// the epoch.
fn offset_at(time_zone: chrono_tz::Tz, seconds: i64) -> i64 {
    use chrono::{Offset, TimeZone};
    let offset = time_zone.offset_from_utc_datetime(
        &DateTime::from_timestamp(seconds, 0)
            .unwrap_or_default()
            .naive_utc(),
    );
    i64::from(offset.fix().local_minus_utc())
}

/// Counts the ratings given in the period: the latest per ticket, in the
/// bucket it was given in.
fn add_ratings(
    store: &Store,
    period: &Period,
    ticket_index: &TicketIndex,
    queries: &mut [QueryRows<'_>],
) -> anyhow::Result<()> {
    // The latest rating of a ticket is the one with the greatest
    // (rated_at, id), kept here rather than with ORDER BY, which would sort
    // every rating of the period.
    let mut statement = store.connection().prepare_cached(RATINGS_SQL)?;
    let mut latest: IdMap<i64, (u8, DateTime<Utc>, i64)> = IdMap::default();
    let mut rows = statement.query(params![format_time(period.from), format_time(period.to)])?;
    while let Some(row) = rows.next()? {
        let rating = (
            row.get(1)?,
            parse_time(row.get_ref(2)?.as_str()?)?,
            row.get(3)?,
        );
        latest
            .entry(row.get(0)?)
            .and_modify(|kept: &mut (u8, DateTime<Utc>, i64)| {
                if (rating.1, rating.2) > (kept.1, kept.2) {
                    *kept = rating;
                }
            })
            .or_insert(rating);
    }
    for (ticket_id, (score, rated_at, _)) in latest {
        let Some(ticket) = ticket_index.get(ticket_id) else {
            continue;
        };
        for query in queries.iter_mut() {
            let Some(index) = bucket_index(&query.buckets, rated_at) else {
                continue;
            };
            let group = query.grouping.of_ticket[ticket];
            let row = query.groups.entry(group, index);
            row.csat_responses += 1;
            if score >= 4 {
                row.csat_satisfied += 1;
            }
        }
    }
    Ok(())
}

/// Lists the texts customers opened at least two tickets of the period
/// with that no stored canned reply matches, most frequent first.
fn recurring_questions(
    store: &Store,
    texts: &TextBytesMap<(u64, i64)>,
    limit: usize,
) -> anyhow::Result<Vec<RecurringQuestion>> {
    // Each distinct stored text is normalised once.
    let mut counts: TextMap<(u64, i64)> = TextMap::default();
    for (text, &(tickets, example_ticket)) in texts {
        let text = std::str::from_utf8(text).context("a ticket subject is not UTF-8")?;
        let text = normalize_question(text);
        if text.is_empty() {
            continue;
        }
        let entry = counts.entry(text).or_insert((0, example_ticket));
        entry.0 += tickets;
        entry.1 = entry.1.max(example_ticket);
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
    // Most subjects need no trimming or cutting, so the collapsed text is
    // returned without a second copy.
    let mut collapsed = String::with_capacity(line.len());
    for word in line.split_whitespace() {
        if !collapsed.is_empty() {
            collapsed.push(' ');
        }
        collapsed.push_str(word);
    }
    let trimmed =
        collapsed.trim_matches(|c: char| c.is_ascii_punctuation() || "？！。，".contains(c));
    if trimmed.len() == collapsed.len() && collapsed.chars().nth(100).is_none() {
        return collapsed;
    }
    trimmed.chars().take(100).collect()
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

/// Turns the accumulated sums of a query into its rows, sorted by the
/// values of its dimensions.
fn build_rows(query_rows: QueryRows<'_>, calendar: &BusinessCalendar) -> Vec<MetricsRow> {
    let QueryRows {
        query,
        buckets,
        grouping,
        mut groups,
        backlog,
        ..
    } = query_rows;
    let every_bucket = query
        .by
        .iter()
        .all(|dimension| matches!(dimension, Dimension::Time(_)));
    let mut group_values = grouping.values;
    if every_bucket && group_values.is_empty() {
        // The one group of a query without non-time dimensions, so that
        // every bucket gets a row even without tickets.
        group_values.push(Vec::new());
    }
    let mut open_at_end: IdMap<(usize, usize), u64> = IdMap::default();
    for (group, differences) in backlog.into_iter().enumerate() {
        let mut open = 0;
        for (index, difference) in differences.iter().take(buckets.len()).enumerate() {
            open += difference;
            if open > 0 {
                open_at_end.insert((group, index), open as u64);
            }
        }
    }
    for key in open_at_end.keys() {
        groups.entry(key.0, key.1);
    }
    if every_bucket {
        // Without non-time dimensions, group 0 has no values.
        for index in 0..buckets.len() {
            groups.entry(0, index);
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
        .into_rows()
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
