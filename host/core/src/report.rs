//! Report widgets: the datasets the host runs for them, and running a
//! widget from parameters to a view.
//!
//! A widget names the datasets it needs in its description. The host runs
//! those queries itself, so a widget never reads the database.

mod dashboard;
mod drill_down;

use anyhow::Context;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use rusqlite::params;

pub use dashboard::{
    DIMENSION, PERIOD, backlog_granularity, dashboard_overrides, dashboard_period, period_anchor,
};
pub use drill_down::{TracedValue, trace_value, traced_tickets};

use crate::Store;
use crate::plugin::widget_api::{
    Cell, Dataset, Description, ParameterKind, ParameterValue, Table, View,
};
use crate::plugin::{Guarded, PluginError, WidgetPlugin};

/// Names of the datasets that widgets can request, each with a description
/// of its columns and parameters.
pub const DATASETS: &[(&str, &str)] = &[
    (
        "messages-per-day",
        "columns day (YYYY-MM-DD), channel, messages: messages stored per day and channel. \
         The parameter `days` (default 14) sets the number of days, ending on the latest day \
         with messages",
    ),
    (
        "tickets-by-status",
        "columns status, type, priority, tickets: tickets counted by status, type and priority",
    ),
    (
        "ticket-volume",
        "columns key, created, resolved: tickets created and resolved in the period per value \
         of the dimension. Parameters `period` (`kefu report --period` syntax; empty for the \
         month of the newest ticket) and `dimension` (agent, type, tier, channel, hour, day, \
         week or month; default agent)",
    ),
    (
        "backlog",
        "columns bucket, open: tickets open at the end of each hour (a one-day period), day \
         (up to 62 days), week (up to two years) or month of the period. Parameter `period`",
    ),
    (
        "tickets-by-channel",
        "columns channel, created: tickets created in the period per channel. Parameter \
         `period`",
    ),
    (
        "hour-of-week",
        "columns weekday (Mon to Sun), hour (0 to 23), tickets: tickets created in the period \
         per local weekday and hour, 168 rows. Parameter `period`",
    ),
];

/// Error that kept a widget from producing a view.
#[derive(Debug, thiserror::Error)]
pub enum WidgetError {
    /// The plugin call failed.
    #[error(transparent)]
    Plugin(#[from] PluginError),
    /// The widget rejected the parameters or the data, or returned a view
    /// that cannot be drawn. The message comes from the widget or the
    /// renderer's check.
    #[error("widget {widget}: {message}")]
    Refused { widget: String, message: String },
    /// A parameter is unknown, or its value is invalid for its kind.
    #[error("widget {widget}: {message}")]
    Parameter { widget: String, message: String },
    /// The widget requested a dataset that the host does not provide.
    #[error(
        "widget {widget} requests dataset {dataset:?}, which Kefu does not provide; known datasets: {known}"
    )]
    UnknownDataset {
        widget: String,
        dataset: String,
        known: String,
    },
    /// Running a dataset query failed.
    #[error(transparent)]
    Store(#[from] anyhow::Error),
}

/// Calls the widget's `describe`, runs the datasets it names and calls its
/// `render`. Parameters missing from `overrides` take the widget's
/// defaults. Both calls count toward the widget's fault guard.
pub fn run_widget(
    store: &Store,
    widget: &mut Guarded<WidgetPlugin>,
    overrides: &[(String, String)],
) -> Result<(Description, View), WidgetError> {
    let description = describe_widget(widget)?;
    let id = widget.plugin.id().to_string();
    let parameters = resolve_parameters(&id, &description, overrides)?;
    let datasets = run_datasets(store, &id, &description, &parameters, Utc::now())?;
    let view = render_widget(widget, &parameters, &datasets)?;
    Ok((description, view))
}

/// Calls the widget's `describe`, counting a failure toward its fault
/// guard.
pub fn describe_widget(widget: &mut Guarded<WidgetPlugin>) -> Result<Description, WidgetError> {
    let id = widget.plugin.id().to_string();
    let result = widget.plugin.describe();
    widget.record(&id, "describe", &result);
    Ok(result?)
}

/// Runs each dataset that `description` names, in its order, with the
/// resolved `parameters`. `now` is the instant running SLA deadlines are
/// judged at.
pub fn run_datasets(
    store: &Store,
    widget: &str,
    description: &Description,
    parameters: &[ParameterValue],
    now: DateTime<Utc>,
) -> Result<Vec<Dataset>, WidgetError> {
    let mut datasets = Vec::new();
    for name in &description.datasets {
        datasets.push(Dataset {
            name: name.clone(),
            table: dataset(store, widget, name, parameters, now)?,
        });
    }
    Ok(datasets)
}

/// Runs the datasets of several widgets, each given by its id, description
/// and resolved parameters, and returns each widget's datasets as
/// [`run_datasets`] returns them, in the order of `widgets`. The dashboard
/// datasets of all widgets are computed together, so widgets that show the
/// same period share one read of the tickets, messages and ratings.
pub fn run_widgets_datasets(
    store: &Store,
    widgets: &[(&str, &Description, &[ParameterValue])],
    now: DateTime<Utc>,
) -> Vec<Result<Vec<Dataset>, WidgetError>> {
    let requests: Vec<(&str, &[ParameterValue])> = widgets
        .iter()
        .flat_map(|(_, description, parameters)| {
            description
                .datasets
                .iter()
                .filter(|name| dashboard::is_dashboard_dataset(name))
                .map(|name| (name.as_str(), *parameters))
        })
        .collect();
    let mut tables = dashboard::tables(store, &requests, now).into_iter();
    widgets
        .iter()
        .map(|(widget, description, parameters)| {
            // Every dashboard table of this widget is taken from `tables`,
            // also after an error, so the next widget gets its own.
            let mut datasets = Vec::new();
            let mut failure = None;
            for name in &description.datasets {
                let table = if dashboard::is_dashboard_dataset(name) {
                    let table = tables.next().expect("one table per dashboard dataset");
                    table
                        .with_context(|| format!("widget {widget}: dataset {name}"))
                        .map_err(WidgetError::Store)
                } else if failure.is_none() {
                    dataset(store, widget, name, parameters, now)
                } else {
                    continue;
                };
                match table {
                    Ok(table) => datasets.push(Dataset {
                        name: name.clone(),
                        table,
                    }),
                    Err(error) => {
                        failure.get_or_insert(error);
                    }
                }
            }
            match failure {
                Some(error) => Err(error),
                None => Ok(datasets),
            }
        })
        .collect()
}

/// Calls the widget's `render`, counting a failure toward its fault guard.
/// A reason the widget returns is [`WidgetError::Refused`].
pub fn render_widget(
    widget: &mut Guarded<WidgetPlugin>,
    parameters: &[ParameterValue],
    datasets: &[Dataset],
) -> Result<View, WidgetError> {
    let id = widget.plugin.id().to_string();
    let result = widget.plugin.render(parameters, datasets);
    widget.record(&id, "render", &result);
    result?.map_err(|message| WidgetError::Refused {
        widget: id,
        message,
    })
}

/// Validates the parameter values in `overrides` against the widget's
/// description and fills in defaults for the rest. When a name appears
/// twice, the last value wins.
pub fn resolve_parameters(
    widget: &str,
    description: &Description,
    overrides: &[(String, String)],
) -> Result<Vec<ParameterValue>, WidgetError> {
    for (name, _) in overrides {
        if !description
            .parameters
            .iter()
            .any(|parameter| &parameter.name == name)
        {
            let known: Vec<&str> = description
                .parameters
                .iter()
                .map(|parameter| parameter.name.as_str())
                .collect();
            return Err(WidgetError::Parameter {
                widget: widget.to_string(),
                message: format!(
                    "unknown parameter {name:?}; this widget takes: {}",
                    if known.is_empty() {
                        "none".to_string()
                    } else {
                        known.join(", ")
                    }
                ),
            });
        }
    }

    let mut values = Vec::new();
    for parameter in &description.parameters {
        let value = overrides
            .iter()
            .rev()
            .find(|(name, _)| *name == parameter.name)
            .map_or(parameter.default_value.clone(), |(_, value)| value.clone());
        let expected = match &parameter.kind {
            ParameterKind::Integer if value.trim().parse::<i64>().is_err() => {
                Some("a whole number".to_string())
            }
            ParameterKind::Date if NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d").is_err() => {
                Some("a day written YYYY-MM-DD".to_string())
            }
            ParameterKind::Choice(choices) if !choices.contains(&value) => {
                Some(format!("one of {}", choices.join(", ")))
            }
            _ => None,
        };
        if let Some(expected) = expected {
            return Err(WidgetError::Parameter {
                widget: widget.to_string(),
                message: format!(
                    "parameter {} is {value:?}; expected {expected}",
                    parameter.name
                ),
            });
        }
        values.push(ParameterValue {
            name: parameter.name.clone(),
            value,
        });
    }
    Ok(values)
}

/// Runs the query of dataset `name` and returns its table. The
/// `messages-per-day` dataset reads the `days` parameter, which defaults to
/// 14 and is clamped to 1..=3660. The dashboard datasets read `period` and
/// `dimension` as [`DATASETS`] describes, and `now` is the instant their
/// running SLA deadlines are judged at.
pub fn dataset(
    store: &Store,
    widget: &str,
    name: &str,
    parameters: &[ParameterValue],
    now: DateTime<Utc>,
) -> Result<Table, WidgetError> {
    if dashboard::is_dashboard_dataset(name) {
        return dashboard::table(store, name, parameters, now)
            .with_context(|| format!("widget {widget}: dataset {name}"))
            .map_err(WidgetError::Store);
    }
    match name {
        "messages-per-day" => {
            let days = parameter(parameters, "days")
                .and_then(|value| value.trim().parse::<i64>().ok())
                .unwrap_or(14)
                .clamp(1, 3660);
            Ok(messages_per_day(store, days)?)
        }
        "tickets-by-status" => Ok(tickets_by_status(store)?),
        _ => Err(WidgetError::UnknownDataset {
            widget: widget.to_string(),
            dataset: name.to_string(),
            known: DATASETS
                .iter()
                .map(|(name, _)| *name)
                .collect::<Vec<_>>()
                .join(", "),
        }),
    }
}

fn parameter<'p>(parameters: &'p [ParameterValue], name: &str) -> Option<&'p str> {
    parameters
        .iter()
        .find(|parameter| parameter.name == name)
        .map(|parameter| parameter.value.as_str())
}

fn messages_per_day(store: &Store, days: i64) -> anyhow::Result<Table> {
    let connection = store.connection();
    let last: Option<String> = connection.query_row(
        "SELECT max(substr(coalesce(sent_at, received_at), 1, 10)) FROM messages",
        [],
        |row| row.get(0),
    )?;
    let Some(last) = last.and_then(|day| NaiveDate::parse_from_str(&day, "%Y-%m-%d").ok()) else {
        return Ok(Table {
            columns: vec!["day".into(), "channel".into(), "messages".into()],
            rows: Vec::new(),
        });
    };
    let first = last - Duration::days(days - 1);
    let mut statement = connection.prepare(
        "SELECT substr(coalesce(sent_at, received_at), 1, 10) AS day, channel, count(*)
           FROM messages
          WHERE day BETWEEN ?1 AND ?2
          GROUP BY day, channel ORDER BY day, channel",
    )?;
    let rows = statement
        .query_map(params![first.to_string(), last.to_string()], |row| {
            Ok(vec![
                Cell::Text(row.get(0)?),
                Cell::Text(row.get(1)?),
                Cell::Integer(row.get(2)?),
            ])
        })?
        .collect::<Result<Vec<_>, _>>()
        .context("counting messages per day")?;
    Ok(Table {
        columns: vec!["day".into(), "channel".into(), "messages".into()],
        rows,
    })
}

fn tickets_by_status(store: &Store) -> anyhow::Result<Table> {
    let mut statement = store.connection().prepare(
        "SELECT status, ticket_type, priority, count(*) FROM tickets
          GROUP BY status, ticket_type, priority ORDER BY status, ticket_type, priority",
    )?;
    let rows = statement
        .query_map([], |row| {
            Ok(vec![
                Cell::Text(row.get(0)?),
                Cell::Text(row.get(1)?),
                Cell::Text(row.get(2)?),
                Cell::Integer(row.get(3)?),
            ])
        })?
        .collect::<Result<Vec<_>, _>>()
        .context("counting tickets by status")?;
    Ok(Table {
        columns: vec![
            "status".into(),
            "type".into(),
            "priority".into(),
            "tickets".into(),
        ],
        rows,
    })
}

/// Converts a widget's view into the renderer's model and validates it, so
/// a malformed view is rejected with the row or series at fault.
pub fn to_report_view(widget: &str, view: View) -> Result<kefu_report::View, WidgetError> {
    use crate::plugin::widget_api::ChartKind;
    let table = |table: Table| kefu_report::Table {
        columns: table.columns,
        rows: table
            .rows
            .into_iter()
            .map(|row| {
                row.into_iter()
                    .map(|cell| match cell {
                        Cell::Empty => kefu_report::Cell::Empty,
                        Cell::Text(text) => kefu_report::Cell::Text(text),
                        Cell::Integer(value) => kefu_report::Cell::Integer(value),
                        Cell::Number(value) => kefu_report::Cell::Number(value),
                    })
                    .collect()
            })
            .collect(),
    };
    let converted = match view {
        View::Table(view) => kefu_report::View::Table(table(view)),
        View::Chart(chart) => kefu_report::View::Chart(kefu_report::Chart {
            kind: match chart.kind {
                ChartKind::Bar => kefu_report::ChartKind::Bar,
                ChartKind::Line => kefu_report::ChartKind::Line,
                ChartKind::Pie => kefu_report::ChartKind::Pie,
                ChartKind::Heatmap => kefu_report::ChartKind::Heatmap,
            },
            title: chart.title,
            categories: chart.categories,
            series: chart
                .series
                .into_iter()
                .map(|series| kefu_report::Series {
                    name: series.name,
                    values: series.values,
                })
                .collect(),
            x_label: chart.x_label,
            y_label: chart.y_label,
        }),
    };
    kefu_report::validate(&converted).map_err(|error| WidgetError::Refused {
        widget: widget.to_string(),
        message: format!("returned a view Kefu cannot show: {error}"),
    })?;
    Ok(converted)
}

#[cfg(test)]
mod tests;
