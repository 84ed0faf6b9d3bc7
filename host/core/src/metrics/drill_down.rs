//! The tickets behind a count of the metrics report, for listing the
//! tickets of a bar, point, slice or cell of a chart.

use std::collections::BTreeSet;

use anyhow::Context;
use chrono::{Datelike, Timelike};

use super::MetricsQuery;
use super::compute::{
    BucketBounds, TicketColumns, load_tickets, open_buckets, report_buckets, row_key, to_time,
};
use crate::store::Store;

/// A ticket count of a metrics row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TicketCount {
    /// The row's `created`.
    Created,
    /// The row's `resolved`.
    Resolved,
    /// The row's `backlog`: tickets open at the end of its bucket.
    Backlog,
}

/// Returns the ids of the tickets that `count` of the row with `key`
/// counts, in ascending order, for the same `query` that
/// [`compute`](super::compute) takes. The row key is
/// [`MetricsRow::key`](super::MetricsRow::key): the values of the query's
/// dimensions in its order. A key no row has returns no tickets.
///
/// The tickets are selected with the same facts and bucket rules as
/// [`compute`](super::compute) counts them, so the list has exactly as many
/// tickets as the row's count.
pub fn tickets_counted(
    store: &Store,
    query: &MetricsQuery,
    key: &[String],
    count: TicketCount,
) -> anyhow::Result<Vec<i64>> {
    let buckets = report_buckets(query);
    let bounds = BucketBounds::new(&buckets);
    let columns = TicketColumns::for_dimensions(&query.by);
    let loaded = load_tickets(store, &query.period, &query.filters, columns)
        .context("reading tickets for the drill-down")?;
    let grouping = loaded.group_by(&query.by);
    let mut ids = BTreeSet::new();
    for (ticket, &group) in loaded.tickets.iter().zip(&grouping.of_ticket) {
        let group = &grouping.values[group];
        let counted = match count {
            TicketCount::Created => bounds
                .index(ticket.opened)
                .is_some_and(|index| row_key(query, group, &buckets[index]) == key),
            TicketCount::Resolved => ticket
                .resolved
                .and_then(|resolved| bounds.index(resolved))
                .is_some_and(|index| row_key(query, group, &buckets[index]) == key),
            TicketCount::Backlog => open_buckets(ticket, &bounds)
                .any(|index| row_key(query, group, &buckets[index]) == key),
        };
        if counted {
            ids.insert(ticket.id);
        }
    }
    Ok(ids.into_iter().collect())
}

/// Tickets created in a period by local day of the week and hour of the
/// day.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HourOfWeek {
    /// Ticket ids in ascending order, by weekday (Monday first) and then
    /// hour (0 to 23).
    pub tickets: [[Vec<i64>; 24]; 7],
}

impl HourOfWeek {
    /// Number of tickets created on `weekday` (0 is Monday) at `hour`.
    pub fn count(&self, weekday: usize, hour: usize) -> u64 {
        self.tickets[weekday][hour].len() as u64
    }
}

/// Groups the tickets that the report's `created` counts by the local
/// weekday and hour at which their customer wrote first, in the time zone
/// of the query's period. The filters apply; the dimensions do not.
pub fn hour_of_week(store: &Store, query: &MetricsQuery) -> anyhow::Result<HourOfWeek> {
    let bounds = BucketBounds::new(&report_buckets(query));
    let loaded = load_tickets(
        store,
        &query.period,
        &query.filters,
        TicketColumns::default(),
    )
    .context("reading tickets for the hour of week")?;
    let mut grid = HourOfWeek::default();
    for ticket in &loaded.tickets {
        if bounds.index(ticket.opened).is_none() {
            continue;
        }
        let local = to_time(ticket.opened).with_timezone(&query.period.time_zone);
        let weekday = local.weekday().num_days_from_monday() as usize;
        grid.tickets[weekday][local.hour() as usize].push(ticket.id);
    }
    for day in &mut grid.tickets {
        for hour in day {
            hour.sort_unstable();
        }
    }
    Ok(grid)
}
