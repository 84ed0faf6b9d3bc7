//! Tracing a value that a widget drew back to the tickets it counts.
//!
//! The convention: a widget draws a value of a dashboard dataset when its
//! category and series name a row and a count column of that dataset.
//!
//! - `ticket-volume`, `backlog` and `tickets-by-channel` have one key
//!   column (`key`, `bucket`, `channel`). The category is the row's key
//!   and the series name is a count column's name, compared ignoring ASCII
//!   case (`Created` names `created`).
//! - `hour-of-week` has two key columns. The series name is the row's
//!   `weekday` and the category its `hour` (`07` and `7` both name hour
//!   7); the count column is `tickets`.
//!
//! The drawn value must also equal the row's count, so a widget that
//! scales or sums the counts gets no drill-down instead of a wrong list.

use chrono::{DateTime, Utc};

use super::dashboard::{self, BACKLOG, HOUR_OF_WEEK, TICKET_VOLUME, TICKETS_BY_CHANNEL, WEEKDAYS};
use crate::Store;
use crate::metrics::{self, TicketCount};
use crate::plugin::widget_api::{Cell, Dataset, ParameterValue};

/// Key columns and count columns of a dataset whose counts can be traced.
struct Traceable {
    dataset: &'static str,
    keys: &'static [&'static str],
    counts: &'static [&'static str],
}

const TRACEABLE: &[Traceable] = &[
    Traceable {
        dataset: TICKET_VOLUME,
        keys: &["key"],
        counts: &["created", "resolved"],
    },
    Traceable {
        dataset: BACKLOG,
        keys: &["bucket"],
        counts: &["open"],
    },
    Traceable {
        dataset: TICKETS_BY_CHANNEL,
        keys: &["channel"],
        counts: &["created"],
    },
    Traceable {
        dataset: HOUR_OF_WEEK,
        keys: &["weekday", "hour"],
        counts: &["tickets"],
    },
];

/// A drawn value traced back to the dataset cell it shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TracedValue {
    /// Name of the dataset.
    pub dataset: String,
    /// Text of the row's key cells, in column order.
    pub key: Vec<String>,
    /// Name of the count column.
    pub column: String,
    /// The count, which is the number of tickets [`traced_tickets`] lists.
    pub count: u64,
}

/// Finds the dataset cell that the value drawn for `series` and `category`
/// shows, following the convention of this module. The datasets are
/// searched in order. Returns `None` when no row and count column match,
/// or when the count differs from `value`.
pub fn trace_value(
    datasets: &[Dataset],
    series: &str,
    category: &str,
    value: f64,
) -> Option<TracedValue> {
    datasets
        .iter()
        .find_map(|dataset| trace_in(dataset, series, category, value))
}

fn trace_in(dataset: &Dataset, series: &str, category: &str, value: f64) -> Option<TracedValue> {
    let traceable = TRACEABLE
        .iter()
        .find(|traceable| traceable.dataset == dataset.name)?;
    let columns = &dataset.table.columns;
    let position = |name: &str| columns.iter().position(|column| column == name);
    let keys: Vec<usize> = traceable
        .keys
        .iter()
        .map(|name| position(name))
        .collect::<Option<_>>()?;
    let (count_name, labels) = match keys.len() {
        1 => {
            let name = traceable
                .counts
                .iter()
                .find(|name| name.eq_ignore_ascii_case(series.trim()))?;
            (*name, vec![category])
        }
        _ => (traceable.counts[0], vec![series, category]),
    };
    let count_column = position(count_name)?;

    let row = dataset.table.rows.iter().find(|row| {
        keys.iter()
            .zip(&labels)
            .all(|(column, label)| row.get(*column).is_some_and(|cell| names(cell, label)))
    })?;
    let count = match row.get(count_column)? {
        Cell::Integer(count) if *count >= 0 && *count as f64 == value => *count as u64,
        _ => return None,
    };
    Some(TracedValue {
        dataset: dataset.name.clone(),
        key: keys.iter().map(|column| cell_text(&row[*column])).collect(),
        column: count_name.to_string(),
        count,
    })
}

/// Returns whether the drawn label `label` names the cell: text equal to
/// it, or a whole number it parses to.
fn names(cell: &Cell, label: &str) -> bool {
    match cell {
        Cell::Text(text) => text == label,
        Cell::Integer(value) => label.trim().parse::<i64>() == Ok(*value),
        Cell::Empty | Cell::Number(_) => false,
    }
}

fn cell_text(cell: &Cell) -> String {
    match cell {
        Cell::Text(text) => text.clone(),
        Cell::Integer(value) => value.to_string(),
        Cell::Number(value) => value.to_string(),
        Cell::Empty => String::new(),
    }
}

/// Returns the ids of the tickets that `traced` counts, in ascending
/// order, for the parameter values its dataset ran with. They are selected
/// by the same facts and bucket rules as the count, with
/// [`metrics::tickets_counted`] and [`metrics::hour_of_week`].
pub fn traced_tickets(
    store: &Store,
    traced: &TracedValue,
    parameters: &[ParameterValue],
    now: DateTime<Utc>,
) -> anyhow::Result<Vec<i64>> {
    if !dashboard::is_dashboard_dataset(&traced.dataset) {
        anyhow::bail!("dataset {:?} has no tickets to list", traced.dataset);
    }
    let query = dashboard::query(store, &traced.dataset, parameters, now)?;
    let count = match (traced.dataset.as_str(), traced.column.as_str()) {
        (HOUR_OF_WEEK, _) => {
            let weekday = traced
                .key
                .first()
                .and_then(|name| WEEKDAYS.iter().position(|day| day == name));
            let hour = traced
                .key
                .get(1)
                .and_then(|hour| hour.parse::<usize>().ok())
                .filter(|hour| *hour < 24);
            let (Some(weekday), Some(hour)) = (weekday, hour) else {
                anyhow::bail!("{:?} is not a weekday and an hour", traced.key);
            };
            let grid = metrics::hour_of_week(store, &query)?;
            return Ok(grid.tickets[weekday][hour].clone());
        }
        (_, "resolved") => TicketCount::Resolved,
        (_, "open") => TicketCount::Backlog,
        _ => TicketCount::Created,
    };
    metrics::tickets_counted(store, &query, &traced.key, count)
}
