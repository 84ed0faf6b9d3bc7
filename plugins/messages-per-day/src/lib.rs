//! The built-in "Messages per day" report widget.
//!
//! Draws a bar chart of the messages stored per day over the last `days`
//! days, with one series per channel, or only the series of the chosen
//! `channel`. The counts come from the host's `messages-per-day` dataset,
//! a table with the columns `day` (text, `YYYY-MM-DD`), `channel` (text)
//! and `messages` (integer). Days without a row count as zero.

use chrono::{DateTime, Days, NaiveDate};
use kefu_plugin_sdk::widget::exports::kefu::plugin::widget::{
    Cell, Chart, ChartKind, Dataset, Description, Guest, Parameter, ParameterKind, ParameterValue,
    Series, View,
};

/// Name of the host dataset the widget reads.
pub const DATASET: &str = "messages-per-day";

/// Days shown when the user sets none.
pub const DEFAULT_DAYS: u32 = 14;

/// Most days the chart shows: a year, leap day included.
pub const MAX_DAYS: u32 = 366;

/// Values of the `channel` parameter, `all` first.
pub const CHANNELS: [&str; 4] = ["all", "email", "chat", "phone"];

/// The widget, exported to the host as a component.
pub struct MessagesPerDay;

impl Guest for MessagesPerDay {
    fn describe() -> Description {
        description()
    }

    fn render(parameters: Vec<ParameterValue>, datasets: Vec<Dataset>) -> Result<View, String> {
        render(&parameters, &datasets, today_utc())
    }
}

// The export's symbol names contain `:`, which only a wasm32 link accepts.
#[cfg(target_arch = "wasm32")]
kefu_plugin_sdk::export_widget!(MessagesPerDay);

/// Returns the widget's title, parameters and dataset.
pub fn description() -> Description {
    Description {
        title: "Messages per day".to_string(),
        parameters: vec![
            Parameter {
                name: "days".to_string(),
                label: format!("Days to show (1 to {MAX_DAYS})"),
                kind: ParameterKind::Integer,
                default_value: DEFAULT_DAYS.to_string(),
            },
            Parameter {
                name: "channel".to_string(),
                label: "Channel".to_string(),
                kind: ParameterKind::Choice(CHANNELS.map(String::from).to_vec()),
                default_value: CHANNELS[0].to_string(),
            },
        ],
        datasets: vec![DATASET.to_string()],
    }
}

/// The parameter values, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub days: u32,
    /// `None` for all channels.
    pub channel: Option<String>,
}

/// Reads and checks the parameter values; a parameter that is not given
/// takes its default.
pub fn settings(parameters: &[ParameterValue]) -> Result<Settings, String> {
    let mut settings = Settings {
        days: DEFAULT_DAYS,
        channel: None,
    };
    for parameter in parameters {
        let value = parameter.value.trim();
        match parameter.name.as_str() {
            "days" => {
                settings.days = value
                    .parse::<u32>()
                    .ok()
                    .filter(|days| (1..=MAX_DAYS).contains(days))
                    .ok_or_else(|| {
                        format!(
                            "The days parameter must be a whole number from 1 to {MAX_DAYS}, \
                             not {:?}.",
                            parameter.value
                        )
                    })?;
            }
            "channel" => {
                let channel = value.to_ascii_lowercase();
                if !CHANNELS.contains(&channel.as_str()) {
                    return Err(format!(
                        "The channel parameter must be one of {}, not {:?}.",
                        CHANNELS.join(", "),
                        parameter.value
                    ));
                }
                settings.channel = (channel != "all").then_some(channel);
            }
            other => {
                return Err(format!(
                    "The widget has no parameter {other:?}; its parameters are days and channel."
                ));
            }
        }
    }
    Ok(settings)
}

/// One row of the dataset.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Count {
    day: NaiveDate,
    channel: String,
    messages: i64,
}

/// Builds the chart from the parameter values and the host's datasets.
/// The chart ends on the later of `today` and the newest day in the data,
/// so that a host counting days in a time zone ahead of UTC still shows
/// its newest day.
// NOTE: when the host's days are behind UTC, the last bar is the host's
// tomorrow and stays empty. The WIT gives the widget no time zone to do
// better.
pub fn render(
    parameters: &[ParameterValue],
    datasets: &[Dataset],
    today: NaiveDate,
) -> Result<View, String> {
    let settings = settings(parameters)?;
    let dataset = datasets
        .iter()
        .find(|dataset| dataset.name == DATASET)
        .ok_or_else(|| format!("The host passed no {DATASET:?} dataset to the widget."))?;
    let counts = counts(dataset)?;

    let newest = counts.iter().map(|count| count.day).max();
    let last_day = newest.map_or(today, |newest| newest.max(today));
    let first_day = last_day
        .checked_sub_days(Days::new(u64::from(settings.days - 1)))
        .unwrap_or(NaiveDate::MIN);
    let days: Vec<NaiveDate> = first_day
        .iter_days()
        .take_while(|day| *day <= last_day)
        .collect();

    let series_names = series_names(&counts, settings.channel.as_deref());
    let mut series: Vec<Series> = series_names
        .iter()
        .map(|channel| Series {
            name: channel_label(channel),
            values: vec![0.0; days.len()],
        })
        .collect();
    for count in &counts {
        let Some(series_index) = series_names.iter().position(|name| *name == count.channel) else {
            continue;
        };
        if count.day < first_day || count.day > last_day {
            continue;
        }
        let day_index = (count.day - first_day).num_days() as usize;
        series[series_index].values[day_index] += count.messages as f64;
    }

    let title = match &settings.channel {
        Some(channel) => format!("Messages per day: {}", channel_label(channel)),
        None => "Messages per day".to_string(),
    };
    Ok(View::Chart(Chart {
        kind: ChartKind::Bar,
        title,
        categories: days
            .iter()
            .map(|day| day.format("%Y-%m-%d").to_string())
            .collect(),
        series,
        x_label: "Day".to_string(),
        y_label: "Messages".to_string(),
    }))
}

/// Returns the channels that get a series: the chosen one, or the three
/// Kefu channels followed by any other channel found in the data.
fn series_names(counts: &[Count], chosen: Option<&str>) -> Vec<String> {
    if let Some(chosen) = chosen {
        return vec![chosen.to_string()];
    }
    let mut names: Vec<String> = CHANNELS[1..].iter().map(|name| name.to_string()).collect();
    for count in counts {
        if !names.contains(&count.channel) {
            names.push(count.channel.clone());
        }
    }
    names
}

/// Returns the legend label of a channel: `Email`, `Chat` and `Phone` for
/// Kefu's channels, other names as they are.
fn channel_label(channel: &str) -> String {
    match channel {
        "email" => "Email".to_string(),
        "chat" => "Chat".to_string(),
        "phone" => "Phone".to_string(),
        other => other.to_string(),
    }
}

/// Reads the dataset's rows, finding the columns by name.
fn counts(dataset: &Dataset) -> Result<Vec<Count>, String> {
    let table = &dataset.table;
    let column = |name: &str| {
        table
            .columns
            .iter()
            .position(|column| column == name)
            .ok_or_else(|| {
                format!(
                    "The {DATASET:?} dataset has no {name:?} column; its columns are {:?}.",
                    table.columns
                )
            })
    };
    let (day_column, channel_column, messages_column) =
        (column("day")?, column("channel")?, column("messages")?);
    let mut counts = Vec::with_capacity(table.rows.len());
    for (index, row) in table.rows.iter().enumerate() {
        let row_error =
            |reason: String| format!("Row {} of the {DATASET:?} dataset: {reason}.", index + 1);
        let cell = |column: usize| row.get(column).unwrap_or(&Cell::Empty);
        let day = match cell(day_column) {
            Cell::Text(text) => NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok(),
            _ => None,
        }
        .ok_or_else(|| {
            row_error(format!(
                "day must be a date written YYYY-MM-DD, not {:?}",
                cell(day_column)
            ))
        })?;
        let channel = match cell(channel_column) {
            Cell::Text(text) if !text.trim().is_empty() => text.trim().to_ascii_lowercase(),
            other => return Err(row_error(format!("channel must be text, not {other:?}"))),
        };
        let messages = match cell(messages_column) {
            Cell::Integer(messages) if *messages >= 0 => *messages,
            other => {
                return Err(row_error(format!(
                    "messages must be a whole number of at least 0, not {other:?}"
                )));
            }
        };
        counts.push(Count {
            day,
            channel,
            messages,
        });
    }
    Ok(counts)
}

/// Returns today's date in UTC from the host's clock.
fn today_utc() -> NaiveDate {
    let now = DateTime::from_timestamp_millis(kefu_plugin_sdk::host::now_millis());
    now.map_or(NaiveDate::MIN, |now| now.date_naive())
}

#[cfg(test)]
mod tests;
