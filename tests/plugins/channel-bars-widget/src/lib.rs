//! A report widget as a third party would write it: bars of the host's
//! `tickets-by-channel` dataset. It follows the drill-down convention of
//! the Reports screen (categories are the `channel` values, the series is
//! named like the `created` column), so clicking a bar lists its tickets.
//! It declares the `period` parameter, so the screen passes its period in.

use kefu_plugin_sdk::widget::exports::kefu::plugin::widget::{
    Cell, Chart, ChartKind, Dataset, Description, Guest, Parameter, ParameterKind, ParameterValue,
    Series, View,
};

pub struct ChannelBars;

impl Guest for ChannelBars {
    fn describe() -> Description {
        Description {
            title: "Channel bars (test widget)".to_string(),
            parameters: vec![Parameter {
                name: "period".to_string(),
                label: "Period".to_string(),
                kind: ParameterKind::Text,
                default_value: String::new(),
            }],
            datasets: vec!["tickets-by-channel".to_string()],
        }
    }

    fn render(_parameters: Vec<ParameterValue>, datasets: Vec<Dataset>) -> Result<View, String> {
        let dataset = datasets
            .iter()
            .find(|dataset| dataset.name == "tickets-by-channel")
            .ok_or("no tickets-by-channel dataset")?;
        let mut categories = Vec::new();
        let mut values = Vec::new();
        for row in &dataset.table.rows {
            let (Some(Cell::Text(channel)), Some(Cell::Integer(created))) =
                (row.first(), row.get(1))
            else {
                return Err(format!("unexpected row {row:?}"));
            };
            categories.push(channel.clone());
            values.push(*created as f64);
        }
        if categories.is_empty() {
            return Ok(View::Table(dataset.table.clone()));
        }
        Ok(View::Chart(Chart {
            kind: ChartKind::Bar,
            title: "Channel bars (test widget)".to_string(),
            categories,
            series: vec![Series {
                name: "created".to_string(),
                values,
            }],
            x_label: "Channel".to_string(),
            y_label: "Tickets".to_string(),
        }))
    }
}

#[cfg(target_arch = "wasm32")]
kefu_plugin_sdk::export_widget!(ChannelBars);
