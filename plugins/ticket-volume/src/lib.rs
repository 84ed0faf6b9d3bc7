//! The built-in "Ticket volume" report widget.
//!
//! Draws bars of the tickets created and resolved in the period, one pair
//! per value of the chosen dimension. The counts come from the host's
//! `ticket-volume` dataset: the columns `key` (text, the dimension's
//! value), `created` and `resolved` (whole numbers).
//!
//! The categories are the `key` values and the series are named after the
//! count columns, so the Reports screen can list the tickets behind a bar.

use kefu_dashboard::{DIMENSION, DatasetReader, PERIOD};
use kefu_plugin_sdk::widget::exports::kefu::plugin::widget::{
    Chart, ChartKind, Dataset, Description, Guest, ParameterValue, Series, View,
};

/// Name of the host dataset the widget reads.
pub const DATASET: &str = "ticket-volume";

/// The widget, exported to the host as a component.
pub struct TicketVolume;

impl Guest for TicketVolume {
    fn describe() -> Description {
        description()
    }

    fn render(parameters: Vec<ParameterValue>, datasets: Vec<Dataset>) -> Result<View, String> {
        render(&parameters, &datasets)
    }
}

// The export's symbol names contain `:`, which only a wasm32 link accepts.
#[cfg(target_arch = "wasm32")]
kefu_plugin_sdk::export_widget!(TicketVolume);

/// Returns the widget's title, parameters and dataset.
pub fn description() -> Description {
    Description {
        title: "Tickets created and resolved".to_string(),
        parameters: vec![
            kefu_dashboard::period_parameter(),
            kefu_dashboard::dimension_parameter(),
        ],
        datasets: vec![DATASET.to_string()],
    }
}

/// Builds the bar chart, or the dataset's empty table when the period has
/// no rows.
pub fn render(parameters: &[ParameterValue], datasets: &[Dataset]) -> Result<View, String> {
    kefu_dashboard::check_parameter_names(parameters, &[PERIOD, DIMENSION])?;
    let dimension = kefu_dashboard::dimension(parameters)?;
    let data = DatasetReader::find(datasets, DATASET)?;
    let (key, created, resolved) = (
        data.column("key")?,
        data.column("created")?,
        data.column("resolved")?,
    );
    if data.is_empty() {
        return Ok(data.empty_view());
    }

    let mut categories = Vec::with_capacity(data.len());
    let mut created_values = Vec::with_capacity(data.len());
    let mut resolved_values = Vec::with_capacity(data.len());
    for row in 0..data.len() {
        categories.push(data.text(row, key)?.to_string());
        created_values.push(data.count(row, created)? as f64);
        resolved_values.push(data.count(row, resolved)? as f64);
    }
    Ok(View::Chart(Chart {
        kind: ChartKind::Bar,
        title: format!("Tickets created and resolved by {dimension}"),
        categories,
        series: vec![
            Series {
                name: "Created".to_string(),
                values: created_values,
            },
            Series {
                name: "Resolved".to_string(),
                values: resolved_values,
            },
        ],
        x_label: String::new(),
        y_label: "Tickets".to_string(),
    }))
}

#[cfg(test)]
mod tests;
