//! Report metrics computed from the ticket history: volume, response and
//! resolution times, CSAT, SLA breaches, reopens, workload, peak hours and
//! recurring questions, grouped by agent, ticket type, customer tier,
//! channel, ticket and time period.
//!
//! `docs/metrics.md` defines every metric. Times are grouped in the time
//! zone of the SLA business-hours calendar (`sla.toml`), the same calendar
//! the business-hours durations use.
//!
//! A computation reads the ticket columns it needs from
//! `report_ticket_facts` once, the message times from
//! `report_message_times` once and the ratings of the period once. Triggers
//! keep both tables equal to the tickets and messages in the same
//! transaction as every write (migrations 0015 and 0016). The per-ticket
//! work (business time, message owners, percentiles) happens in memory.

mod compute;
mod drill_down;
mod period;
mod stats;
mod tables;

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Serialize;

pub use compute::{compute, compute_many, latest_ticket_opened};
pub use drill_down::{HourOfWeek, TicketCount, hour_of_week, tickets_counted};
pub use period::{Granularity, Period, parse_period};
pub use stats::DurationStats;
pub use tables::{MetricColumn, MetricKind, metric_columns};

/// Dimension that splits the rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Dimension {
    /// The ticket's assignee; `(unassigned)` for none.
    Agent,
    /// The ticket's type.
    TicketType,
    /// The customer's tier.
    Tier,
    /// The channel the ticket came in on.
    Channel,
    /// The ticket itself: one row per ticket, keyed by its id, for
    /// exporting every ticket's times and outcomes.
    Ticket,
    /// A time period of the report's time zone.
    Time(Granularity),
}

impl Dimension {
    /// Parses a `--by` value: agent, type, tier, channel, ticket, hour, day,
    /// week or month.
    pub fn parse(text: &str) -> anyhow::Result<Self> {
        Ok(match text.trim().to_ascii_lowercase().as_str() {
            "agent" => Self::Agent,
            "type" => Self::TicketType,
            "tier" => Self::Tier,
            "channel" => Self::Channel,
            "ticket" => Self::Ticket,
            "hour" => Self::Time(Granularity::Hour),
            "day" => Self::Time(Granularity::Day),
            "week" => Self::Time(Granularity::Week),
            "month" => Self::Time(Granularity::Month),
            _ => anyhow::bail!(
                "--by {text:?} is not a dimension; use agent, type, tier, channel, ticket, hour, \
                 day, week or month"
            ),
        })
    }

    /// Column header of the dimension.
    pub fn header(self) -> &'static str {
        match self {
            Self::Agent => "agent",
            Self::TicketType => "type",
            Self::Tier => "tier",
            Self::Channel => "channel",
            Self::Ticket => "ticket",
            Self::Time(granularity) => granularity.header(),
        }
    }
}

/// Filters on the tickets counted; `None` keeps every value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    /// Assignee name; `(unassigned)` selects tickets without one.
    pub agent: Option<String>,
    pub ticket_type: Option<String>,
    pub tier: Option<String>,
    pub channel: Option<String>,
}

/// Request for a metrics computation.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricsQuery {
    pub period: Period,
    /// Dimensions in column order; at most one time dimension.
    pub by: Vec<Dimension>,
    pub filters: Filters,
    /// The instant running deadlines are judged at: an SLA target still
    /// undone counts as breached only once its deadline is before both this
    /// and the period's end.
    pub now: DateTime<Utc>,
    /// Most recurring questions listed.
    pub recurring_limit: usize,
}

/// Name of a ticket without an assignee, in the agent column and filter.
pub const UNASSIGNED: &str = "(unassigned)";

/// One row of the metrics table: one combination of dimension values.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetricsRow {
    /// Values of the query's dimensions, in its order. A time dimension's
    /// value is its label, such as `2026-11-05` or `2026-W45`.
    pub key: Vec<String>,
    /// Local start of the row's time period, when grouped by time.
    pub period_start: Option<NaiveDateTime>,
    /// Tickets whose customer wrote first in the row's period.
    pub created: u64,
    /// Tickets resolved in the period that are still resolved.
    pub resolved: u64,
    /// Tickets open at the end of the row's period.
    pub backlog: u64,
    /// Time from the customer's first message to the team's first
    /// response, for tickets created in the period.
    pub first_response: DurationStats,
    /// The same in SLA business time.
    pub first_response_business: DurationStats,
    /// Time from the customer's first message to resolution, for tickets
    /// resolved in the period.
    pub resolution: DurationStats,
    /// The same in SLA business time.
    pub resolution_business: DurationStats,
    /// Ratings given in the period (the latest per ticket).
    pub csat_responses: u64,
    /// Those of them that are 4 or 5.
    pub csat_satisfied: u64,
    /// SLA targets of tickets created in the period that were met.
    pub sla_met: u64,
    /// SLA targets of tickets created in the period that were missed, or
    /// whose deadline passed with the work still undone.
    pub sla_breached: u64,
    /// Tickets resolved in the period that had been reopened at least once.
    pub reopened: u64,
    /// Messages the team sent in the period.
    pub messages_handled: u64,
    /// Working hours of the SLA calendar in the period.
    pub working_hours: f64,
}

impl MetricsRow {
    /// Share of satisfied ratings, 0.0 to 1.0; `None` without ratings.
    pub fn csat(&self) -> Option<f64> {
        ratio(self.csat_satisfied, self.csat_responses)
    }

    /// Share of SLA targets breached; `None` when none was decided.
    pub fn sla_breach_rate(&self) -> Option<f64> {
        ratio(self.sla_breached, self.sla_met + self.sla_breached)
    }

    /// Share of resolved tickets that had been reopened.
    pub fn reopen_rate(&self) -> Option<f64> {
        ratio(self.reopened, self.resolved)
    }

    /// Tickets resolved per working hour; `None` when the period has no
    /// working hours.
    pub fn resolved_per_working_hour(&self) -> Option<f64> {
        (self.working_hours > 0.0).then(|| self.resolved as f64 / self.working_hours)
    }
}

fn ratio(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// Inbound messages and created tickets per local hour of the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PeakHour {
    /// 0 to 23.
    pub hour: u32,
    pub inbound_messages: u64,
    pub tickets_created: u64,
}

/// A subject or first line that customers wrote on several tickets and
/// that no canned reply matches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecurringQuestion {
    /// The text, lowercased with whitespace collapsed.
    pub text: String,
    pub tickets: u64,
    /// The newest ticket with this text.
    pub example_ticket: i64,
}

/// The result of [`compute`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetricsReport {
    /// IANA name of the time zone periods are read in.
    pub time_zone: String,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub by: Vec<Dimension>,
    pub rows: Vec<MetricsRow>,
    /// All 24 hours, midnight first.
    pub peak_hours: Vec<PeakHour>,
    /// Most frequent first.
    pub recurring: Vec<RecurringQuestion>,
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod report_facts_tests;
