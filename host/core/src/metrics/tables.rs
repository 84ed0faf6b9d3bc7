//! The metrics report as tables: the column list every export shares, and
//! the conversion to [`kefu_report::Table`] for CSV and text.

use kefu_report::{Cell, Table};

use super::{DurationStats, MetricsReport, MetricsRow};

/// Kind of value in a metric column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricKind {
    /// A whole number.
    Count,
    /// Hours with a fraction.
    Hours,
    /// A share from 0.0 to 1.0.
    Percent,
    /// A number with a fraction, such as tickets per hour.
    Rate,
}

/// One metric column of the metrics table.
#[derive(Clone, Copy)]
pub struct MetricColumn {
    pub header: &'static str,
    pub kind: MetricKind,
    /// The row's value; `None` when the metric is undefined for the row,
    /// such as an average of no durations.
    pub value: fn(&MetricsRow) -> Option<f64>,
}

fn hours(seconds: Option<f64>) -> Option<f64> {
    seconds.map(|seconds| seconds / 3600.0)
}

fn average(stats: &DurationStats) -> Option<f64> {
    hours(stats.average)
}

fn median(stats: &DurationStats) -> Option<f64> {
    hours(stats.median)
}

fn p90(stats: &DurationStats) -> Option<f64> {
    hours(stats.p90)
}

/// Declares a duration column triple (average, median, p90) of one field.
macro_rules! duration_columns {
    ($prefix:literal, $field:ident) => {
        [
            MetricColumn {
                header: concat!($prefix, "_avg_h"),
                kind: MetricKind::Hours,
                value: |row| average(&row.$field),
            },
            MetricColumn {
                header: concat!($prefix, "_median_h"),
                kind: MetricKind::Hours,
                value: |row| median(&row.$field),
            },
            MetricColumn {
                header: concat!($prefix, "_p90_h"),
                kind: MetricKind::Hours,
                value: |row| p90(&row.$field),
            },
        ]
    };
}

/// Returns the metric columns in table order. `docs/metrics.md` defines
/// each.
pub fn metric_columns() -> Vec<MetricColumn> {
    let count = |header, value: fn(&MetricsRow) -> Option<f64>| MetricColumn {
        header,
        kind: MetricKind::Count,
        value,
    };
    let mut columns = vec![
        count("created", |row| Some(row.created as f64)),
        count("resolved", |row| Some(row.resolved as f64)),
        count("backlog", |row| Some(row.backlog as f64)),
    ];
    columns.extend(duration_columns!("first_response", first_response));
    columns.extend(duration_columns!(
        "first_response_business",
        first_response_business
    ));
    columns.extend(duration_columns!("resolution", resolution));
    columns.extend(duration_columns!(
        "resolution_business",
        resolution_business
    ));
    columns.extend([
        MetricColumn {
            header: "csat",
            kind: MetricKind::Percent,
            value: MetricsRow::csat,
        },
        count("csat_responses", |row| Some(row.csat_responses as f64)),
        MetricColumn {
            header: "sla_breach_rate",
            kind: MetricKind::Percent,
            value: MetricsRow::sla_breach_rate,
        },
        count("sla_met", |row| Some(row.sla_met as f64)),
        count("sla_breached", |row| Some(row.sla_breached as f64)),
        MetricColumn {
            header: "reopen_rate",
            kind: MetricKind::Percent,
            value: MetricsRow::reopen_rate,
        },
        count("messages_handled", |row| Some(row.messages_handled as f64)),
        MetricColumn {
            header: "working_hours",
            kind: MetricKind::Hours,
            value: |row| Some(row.working_hours),
        },
        MetricColumn {
            header: "resolved_per_working_hour",
            kind: MetricKind::Rate,
            value: MetricsRow::resolved_per_working_hour,
        },
    ]);
    columns
}

impl MetricsReport {
    /// Returns the headers of the dimension columns, or `period` when there
    /// is no dimension.
    pub fn dimension_headers(&self) -> Vec<&'static str> {
        if self.by.is_empty() {
            vec!["period"]
        } else {
            self.by.iter().map(|dimension| dimension.header()).collect()
        }
    }

    /// Builds the metrics table: the dimension columns, then one column per
    /// [`metric_columns`] entry. Counts are integers, durations hours and
    /// rates shares from 0 to 1; an undefined value is an empty cell.
    pub fn metrics_table(&self) -> Table {
        let metrics = metric_columns();
        let mut columns: Vec<String> = self
            .dimension_headers()
            .into_iter()
            .map(str::to_string)
            .collect();
        columns.extend(metrics.iter().map(|column| column.header.to_string()));
        let rows = self
            .rows
            .iter()
            .map(|row| {
                let mut cells: Vec<Cell> = row.key.iter().cloned().map(Cell::Text).collect();
                if self.by.is_empty() {
                    cells.push(Cell::Text(self.period_label()));
                }
                cells.extend(metrics.iter().map(|column| {
                    match ((column.value)(row), column.kind) {
                        (None, _) => Cell::Empty,
                        (Some(value), MetricKind::Count) => Cell::Integer(value as i64),
                        (Some(value), _) => Cell::Number(value),
                    }
                }));
                cells
            })
            .collect();
        Table { columns, rows }
    }

    /// Builds the table of inbound messages and created tickets per hour of
    /// the day.
    pub fn peak_hours_table(&self) -> Table {
        Table {
            columns: vec![
                "hour".to_string(),
                "inbound_messages".to_string(),
                "tickets_created".to_string(),
            ],
            rows: self
                .peak_hours
                .iter()
                .map(|peak| {
                    vec![
                        Cell::Integer(i64::from(peak.hour)),
                        Cell::Integer(peak.inbound_messages as i64),
                        Cell::Integer(peak.tickets_created as i64),
                    ]
                })
                .collect(),
        }
    }

    /// Builds the table of recurring questions without a canned reply.
    pub fn recurring_table(&self) -> Table {
        Table {
            columns: vec![
                "question".to_string(),
                "tickets".to_string(),
                "example_ticket".to_string(),
            ],
            rows: self
                .recurring
                .iter()
                .map(|question| {
                    vec![
                        Cell::Text(question.text.clone()),
                        Cell::Integer(question.tickets as i64),
                        Cell::Integer(question.example_ticket),
                    ]
                })
                .collect(),
        }
    }

    /// Formats the period as local dates, such as `2026-11-01..2026-11-30`.
    pub fn period_label(&self) -> String {
        let time_zone: chrono_tz::Tz = self.time_zone.parse().unwrap_or(chrono_tz::UTC);
        let first = self.from.with_timezone(&time_zone).date_naive();
        let last = (self.to - chrono::Duration::seconds(1))
            .with_timezone(&time_zone)
            .date_naive();
        format!("{first}..{last}")
    }
}
