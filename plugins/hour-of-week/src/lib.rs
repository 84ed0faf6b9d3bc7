//! The built-in "Hour of week" report widget.
//!
//! Draws a heatmap of the tickets created in the period per local weekday
//! and hour of the day. The counts come from the host's `hour-of-week`
//! dataset: the columns `weekday` (text, `Mon` to `Sun`), `hour` (a whole
//! number from 0 to 23) and `tickets` (a whole number). A weekday and hour
//! without a row count as zero.
//!
//! Each weekday is a series named like its `weekday` value and each hour a
//! category (`00` to `23`), so the Reports screen can list the tickets
//! behind a cell.

use kefu_dashboard::{DatasetReader, PERIOD};
use kefu_plugin_sdk::widget::exports::kefu::plugin::widget::{
    Chart, ChartKind, Dataset, Description, Guest, ParameterValue, Series, View,
};

/// Name of the host dataset the widget reads.
pub const DATASET: &str = "hour-of-week";

/// Weekday values of the dataset, Monday first: the heatmap's rows.
pub const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// The widget, exported to the host as a component.
pub struct HourOfWeek;

impl Guest for HourOfWeek {
    fn describe() -> Description {
        description()
    }

    fn render(parameters: Vec<ParameterValue>, datasets: Vec<Dataset>) -> Result<View, String> {
        render(&parameters, &datasets)
    }
}

// The export's symbol names contain `:`, which only a wasm32 link accepts.
#[cfg(target_arch = "wasm32")]
kefu_plugin_sdk::export_widget!(HourOfWeek);

/// Returns the widget's title, parameter and dataset.
pub fn description() -> Description {
    Description {
        title: "Tickets created by weekday and hour".to_string(),
        parameters: vec![kefu_dashboard::period_parameter()],
        datasets: vec![DATASET.to_string()],
    }
}

/// Builds the heatmap, or the dataset's empty table when no ticket was
/// created in the period.
pub fn render(parameters: &[ParameterValue], datasets: &[Dataset]) -> Result<View, String> {
    kefu_dashboard::check_parameter_names(parameters, &[PERIOD])?;
    let data = DatasetReader::find(datasets, DATASET)?;
    let (weekday, hour, tickets) = (
        data.column("weekday")?,
        data.column("hour")?,
        data.column("tickets")?,
    );

    let mut grid = [[0u64; 24]; 7];
    for row in 0..data.len() {
        let name = data.text(row, weekday)?;
        let day = WEEKDAYS
            .iter()
            .position(|day| *day == name)
            .ok_or_else(|| {
                format!(
                    "Row {} of the {DATASET:?} dataset: weekday must be one of {}, not {name:?}.",
                    row + 1,
                    WEEKDAYS.join(", ")
                )
            })?;
        let hour_of_day = data.count(row, hour)?;
        if hour_of_day > 23 {
            return Err(format!(
                "Row {} of the {DATASET:?} dataset: hour must be from 0 to 23, not {hour_of_day}.",
                row + 1
            ));
        }
        grid[day][hour_of_day as usize] += data.count(row, tickets)?;
    }
    if grid.iter().flatten().all(|count| *count == 0) {
        return Ok(data.empty_view());
    }

    let series = WEEKDAYS
        .iter()
        .zip(grid)
        .map(|(name, counts)| Series {
            name: name.to_string(),
            values: counts.iter().map(|count| *count as f64).collect(),
        })
        .collect();
    Ok(View::Chart(Chart {
        kind: ChartKind::Heatmap,
        title: "Tickets created by weekday and hour".to_string(),
        categories: (0..24).map(|hour| format!("{hour:02}")).collect(),
        series,
        x_label: "Hour of the day".to_string(),
        y_label: String::new(),
    }))
}

#[cfg(test)]
mod tests;
