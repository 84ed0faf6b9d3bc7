//! The built-in "Backlog" report widget.
//!
//! Draws a line of the tickets open at the end of each time bucket of the
//! period. The counts come from the host's `backlog` dataset: the columns
//! `bucket` (text, the bucket's label) and `open` (a whole number). The
//! host picks the bucket length from the period's length.
//!
//! The categories are the `bucket` values and the series is named after
//! the `open` column, so the Reports screen can list the tickets behind a
//! point.

use kefu_dashboard::{DatasetReader, PERIOD};
use kefu_plugin_sdk::widget::exports::kefu::plugin::widget::{
    Chart, ChartKind, Dataset, Description, Guest, ParameterValue, Series, View,
};

/// Name of the host dataset the widget reads.
pub const DATASET: &str = "backlog";

/// The widget, exported to the host as a component.
pub struct Backlog;

impl Guest for Backlog {
    fn describe() -> Description {
        description()
    }

    fn render(parameters: Vec<ParameterValue>, datasets: Vec<Dataset>) -> Result<View, String> {
        render(&parameters, &datasets)
    }
}

// The export's symbol names contain `:`, which only a wasm32 link accepts.
#[cfg(target_arch = "wasm32")]
kefu_plugin_sdk::export_widget!(Backlog);

/// Returns the widget's title, parameter and dataset.
pub fn description() -> Description {
    Description {
        title: "Open tickets (backlog)".to_string(),
        parameters: vec![kefu_dashboard::period_parameter()],
        datasets: vec![DATASET.to_string()],
    }
}

/// Builds the line chart, or the dataset's empty table when no ticket is
/// open at the end of any bucket.
pub fn render(parameters: &[ParameterValue], datasets: &[Dataset]) -> Result<View, String> {
    kefu_dashboard::check_parameter_names(parameters, &[PERIOD])?;
    let data = DatasetReader::find(datasets, DATASET)?;
    let (bucket, open) = (data.column("bucket")?, data.column("open")?);

    let mut categories = Vec::with_capacity(data.len());
    let mut values = Vec::with_capacity(data.len());
    for row in 0..data.len() {
        categories.push(data.text(row, bucket)?.to_string());
        values.push(data.count(row, open)? as f64);
    }
    if values.iter().all(|value| *value == 0.0) {
        return Ok(data.empty_view());
    }
    Ok(View::Chart(Chart {
        kind: ChartKind::Line,
        title: "Open tickets (backlog)".to_string(),
        categories,
        series: vec![Series {
            name: "Open".to_string(),
            values,
        }],
        x_label: String::new(),
        y_label: "Tickets".to_string(),
    }))
}

#[cfg(test)]
mod tests;
