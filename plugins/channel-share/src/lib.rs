//! The built-in "Tickets by channel" report widget.
//!
//! Draws a pie of the tickets created in the period on each channel. The
//! counts come from the host's `tickets-by-channel` dataset: the columns
//! `channel` (text) and `created` (a whole number). Channels without
//! tickets get no slice.
//!
//! The categories are the `channel` values and the series is named after
//! the `created` column, so the Reports screen can list the tickets behind
//! a slice.

use kefu_dashboard::{DatasetReader, PERIOD};
use kefu_plugin_sdk::widget::exports::kefu::plugin::widget::{
    Chart, ChartKind, Dataset, Description, Guest, ParameterValue, Series, View,
};

/// Name of the host dataset the widget reads.
pub const DATASET: &str = "tickets-by-channel";

/// The widget, exported to the host as a component.
pub struct ChannelShare;

impl Guest for ChannelShare {
    fn describe() -> Description {
        description()
    }

    fn render(parameters: Vec<ParameterValue>, datasets: Vec<Dataset>) -> Result<View, String> {
        render(&parameters, &datasets)
    }
}

// The export's symbol names contain `:`, which only a wasm32 link accepts.
#[cfg(target_arch = "wasm32")]
kefu_plugin_sdk::export_widget!(ChannelShare);

/// Returns the widget's title, parameter and dataset.
pub fn description() -> Description {
    Description {
        title: "Tickets created by channel".to_string(),
        parameters: vec![kefu_dashboard::period_parameter()],
        datasets: vec![DATASET.to_string()],
    }
}

/// Builds the pie, or the dataset's empty table when no ticket was
/// created in the period.
pub fn render(parameters: &[ParameterValue], datasets: &[Dataset]) -> Result<View, String> {
    kefu_dashboard::check_parameter_names(parameters, &[PERIOD])?;
    let data = DatasetReader::find(datasets, DATASET)?;
    let (channel, created) = (data.column("channel")?, data.column("created")?);

    let mut categories = Vec::new();
    let mut values = Vec::new();
    for row in 0..data.len() {
        let name = data.text(row, channel)?;
        let count = data.count(row, created)?;
        if count > 0 {
            categories.push(name.to_string());
            values.push(count as f64);
        }
    }
    if categories.is_empty() {
        return Ok(data.empty_view());
    }
    Ok(View::Chart(Chart {
        kind: ChartKind::Pie,
        title: "Tickets created by channel".to_string(),
        categories,
        series: vec![Series {
            name: "Created".to_string(),
            values,
        }],
        x_label: String::new(),
        y_label: String::new(),
    }))
}

#[cfg(test)]
mod tests;
