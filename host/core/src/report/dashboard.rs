//! The datasets of the Reports screen's metrics: ticket volume per value
//! of a dimension, open tickets per time bucket, tickets per channel and
//! tickets per weekday and hour. Each is computed with [`crate::metrics`]
//! for the `period` and `dimension` parameters, so its numbers are those
//! of `kefu report --period`.

use anyhow::Context;
use chrono::{DateTime, NaiveDate, Utc};

use crate::Store;
use crate::metrics::{self, Dimension, Filters, Granularity, MetricsQuery, Period};
use crate::plugin::widget_api::{Cell, Description, ParameterValue, Table};

/// Name of the parameter that sets a dashboard dataset's period.
pub const PERIOD: &str = "period";

/// Name of the parameter that sets the `ticket-volume` dataset's dimension.
pub const DIMENSION: &str = "dimension";

/// Names of the dashboard datasets.
pub const TICKET_VOLUME: &str = "ticket-volume";
pub const BACKLOG: &str = "backlog";
pub const TICKETS_BY_CHANNEL: &str = "tickets-by-channel";
pub const HOUR_OF_WEEK: &str = "hour-of-week";

/// Weekday values of the `hour-of-week` dataset, Monday first.
pub const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// Maximum length in days of a period whose backlog is counted per day.
/// Longer periods are counted per week, and periods over
/// [`MAX_WEEKLY_DAYS`] per month.
const MAX_DAILY_DAYS: i64 = 62;
const MAX_WEEKLY_DAYS: i64 = 731;

/// Returns the local date that an empty period starts from: the day the
/// customer of the newest ticket wrote first, or the day of `now` without
/// tickets, in the time zone of the store's SLA calendar.
pub fn period_anchor(store: &Store, now: DateTime<Utc>) -> anyhow::Result<NaiveDate> {
    let time_zone = store.desk().sla.calendar().time_zone();
    let latest = metrics::latest_ticket_opened(store)?;
    Ok(latest.unwrap_or(now).with_timezone(&time_zone).date_naive())
}

/// Parses `text` as a period in `kefu report --period` syntax, in the time
/// zone of the store's SLA calendar. Empty text is the month of
/// [`period_anchor`].
pub fn dashboard_period(store: &Store, text: &str, now: DateTime<Utc>) -> anyhow::Result<Period> {
    let time_zone = store.desk().sla.calendar().time_zone();
    let text = text.trim();
    if text.is_empty() {
        let month = period_anchor(store, now)?.format("%Y-%m").to_string();
        return metrics::parse_period(&month, time_zone);
    }
    metrics::parse_period(text, time_zone)
}

/// Returns the time buckets the backlog is counted in: hours for a single
/// day, days up to two months, weeks up to two years, else months.
pub fn backlog_granularity(period: &Period) -> Granularity {
    let days = (period.to - period.from).num_days();
    if days <= 1 {
        Granularity::Hour
    } else if days <= MAX_DAILY_DAYS {
        Granularity::Day
    } else if days <= MAX_WEEKLY_DAYS {
        Granularity::Week
    } else {
        Granularity::Month
    }
}

/// Returns the parameter values the Reports screen passes to a widget: its
/// `period` and `dimension`, each only when the widget declares a
/// parameter of that name.
pub fn dashboard_overrides(
    description: &Description,
    period: &str,
    dimension: Dimension,
) -> Vec<(String, String)> {
    let declares = |name: &str| {
        description
            .parameters
            .iter()
            .any(|parameter| parameter.name == name)
    };
    let mut overrides = Vec::new();
    if declares(PERIOD) {
        overrides.push((PERIOD.to_string(), period.to_string()));
    }
    if declares(DIMENSION) {
        overrides.push((DIMENSION.to_string(), dimension.header().to_string()));
    }
    overrides
}

/// Returns whether `name` is a dashboard dataset.
pub(crate) fn is_dashboard_dataset(name: &str) -> bool {
    [TICKET_VOLUME, BACKLOG, TICKETS_BY_CHANNEL, HOUR_OF_WEEK].contains(&name)
}

/// Builds the metrics query of the dashboard dataset `name` from the
/// `period` and `dimension` parameters. A missing parameter takes its
/// default: the month of the newest ticket, and `agent`.
pub(crate) fn query(
    store: &Store,
    name: &str,
    parameters: &[ParameterValue],
    now: DateTime<Utc>,
) -> anyhow::Result<MetricsQuery> {
    let period_text = parameter(parameters, PERIOD).unwrap_or_default();
    let period = dashboard_period(store, period_text, now)
        .with_context(|| format!("parameter {PERIOD} of dataset {name}"))?;
    let by = match name {
        TICKET_VOLUME => vec![dimension(parameters)?],
        BACKLOG => vec![Dimension::Time(backlog_granularity(&period))],
        TICKETS_BY_CHANNEL => vec![Dimension::Channel],
        _ => Vec::new(),
    };
    Ok(MetricsQuery {
        period,
        by,
        filters: Filters::default(),
        now,
        recurring_limit: 0,
    })
}

/// Runs the dashboard dataset `name` and returns its table.
pub(crate) fn table(
    store: &Store,
    name: &str,
    parameters: &[ParameterValue],
    now: DateTime<Utc>,
) -> anyhow::Result<Table> {
    tables(store, &[(name, parameters)], now).remove(0)
}

/// Runs the dashboard datasets of `requests`, each a dataset name and its
/// parameters, and returns their tables in the same order. The metrics of
/// all requests are computed together with [`metrics::compute_many`], so
/// requests for the same period share one read of the tickets, messages
/// and ratings.
pub(crate) fn tables(
    store: &Store,
    requests: &[(&str, &[ParameterValue])],
    now: DateTime<Utc>,
) -> Vec<anyhow::Result<Table>> {
    let queries: Vec<anyhow::Result<MetricsQuery>> = requests
        .iter()
        .map(|(name, parameters)| query(store, name, parameters, now))
        .collect();
    let metrics_queries: Vec<MetricsQuery> = requests
        .iter()
        .zip(&queries)
        .filter(|((name, _), _)| *name != HOUR_OF_WEEK)
        .filter_map(|(_, query)| query.as_ref().ok().cloned())
        .collect();
    let mut reports = match metrics::compute_many(store, &metrics_queries) {
        Ok(reports) => Ok(reports.into_iter()),
        // The error is shown for each request it failed.
        Err(error) => Err(format!("{error:#}")),
    };
    requests
        .iter()
        .zip(queries)
        .map(|((name, _), query)| {
            let query = query?;
            if *name == HOUR_OF_WEEK {
                return hour_of_week(store, &query);
            }
            let report = match &mut reports {
                Ok(reports) => reports.next().expect("one report per metrics query"),
                Err(error) => anyhow::bail!("computing dataset {name}: {error}"),
            };
            Ok(table_of(name, &report))
        })
        .collect()
}

/// Returns the table of the dashboard dataset `name` from its report.
fn table_of(name: &str, report: &metrics::MetricsReport) -> Table {
    let count = |value: u64| Cell::Integer(i64::try_from(value).unwrap_or(i64::MAX));
    let key = |row: &metrics::MetricsRow| Cell::Text(row.key.first().cloned().unwrap_or_default());
    let (columns, rows): (&[&str], Vec<Vec<Cell>>) = match name {
        TICKET_VOLUME => (
            &["key", "created", "resolved"],
            report
                .rows
                .iter()
                .map(|row| vec![key(row), count(row.created), count(row.resolved)])
                .collect(),
        ),
        BACKLOG => (
            &["bucket", "open"],
            report
                .rows
                .iter()
                .map(|row| vec![key(row), count(row.backlog)])
                .collect(),
        ),
        _ => (
            &["channel", "created"],
            report
                .rows
                .iter()
                .map(|row| vec![key(row), count(row.created)])
                .collect(),
        ),
    };
    Table {
        columns: columns.iter().map(|column| column.to_string()).collect(),
        rows,
    }
}

/// Counts the tickets of `query` per local weekday and hour: one row per
/// weekday and hour, Monday 00 first, zeros included.
fn hour_of_week(store: &Store, query: &MetricsQuery) -> anyhow::Result<Table> {
    let grid = metrics::hour_of_week(store, query).context("computing dataset hour-of-week")?;
    let mut rows = Vec::with_capacity(7 * 24);
    for (weekday, name) in WEEKDAYS.iter().enumerate() {
        for hour in 0..24 {
            rows.push(vec![
                Cell::Text(name.to_string()),
                Cell::Integer(hour as i64),
                Cell::Integer(grid.count(weekday, hour) as i64),
            ]);
        }
    }
    Ok(Table {
        columns: vec!["weekday".into(), "hour".into(), "tickets".into()],
        rows,
    })
}

/// Reads the `dimension` parameter; `agent` when it is missing.
pub(crate) fn dimension(parameters: &[ParameterValue]) -> anyhow::Result<Dimension> {
    let Some(text) = parameter(parameters, DIMENSION) else {
        return Ok(Dimension::Agent);
    };
    Dimension::parse(text).map_err(|_| {
        anyhow::anyhow!(
            "parameter {DIMENSION} is {text:?}; use agent, type, tier, channel, hour, day, week \
             or month"
        )
    })
}

fn parameter<'p>(parameters: &'p [ParameterValue], name: &str) -> Option<&'p str> {
    parameters
        .iter()
        .rev()
        .find(|parameter| parameter.name == name)
        .map(|parameter| parameter.value.as_str())
}
