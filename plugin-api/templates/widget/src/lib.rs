//! {{name}}: a Kefu report widget.
//!
//! Adds up the host's `tickets-by-status` dataset (columns `status`, `type`,
//! `priority` and `tickets`, one row per combination) per status and shows
//! the totals as a bar or pie chart.

use kefu_plugin_sdk::widget::exports::kefu::plugin::widget::{
    Cell, Chart, ChartKind, Dataset, Description, Guest, Parameter, ParameterKind, ParameterValue,
    Series, View,
};

/// Name of the host dataset the widget reads.
pub const DATASET: &str = "tickets-by-status";

/// Values of the `chart` parameter; the first is the default.
pub const CHART_KINDS: [&str; 2] = ["bar", "pie"];

/// Returns the widget's title, parameters and dataset.
pub fn description() -> Description {
    Description {
        title: "Tickets by status".to_string(),
        parameters: vec![Parameter {
            name: "chart".to_string(),
            label: "Chart".to_string(),
            kind: ParameterKind::Choice(CHART_KINDS.map(String::from).to_vec()),
            default_value: CHART_KINDS[0].to_string(),
        }],
        datasets: vec![DATASET.to_string()],
    }
}

/// Builds the chart from the parameter values and the datasets. Errors are
/// shown to the user, so they name the parameter or column at fault.
pub fn render(parameters: &[ParameterValue], datasets: &[Dataset]) -> Result<View, String> {
    let chart = parameters
        .iter()
        .find(|parameter| parameter.name == "chart")
        .map_or(CHART_KINDS[0], |parameter| parameter.value.as_str());
    let kind = match chart {
        "bar" => ChartKind::Bar,
        "pie" => ChartKind::Pie,
        other => return Err(format!("chart {other:?} is unknown; use bar or pie")),
    };
    let dataset = datasets
        .iter()
        .find(|dataset| dataset.name == DATASET)
        .ok_or_else(|| format!("the host passed no {DATASET} dataset"))?;
    let column = |name: &str| {
        dataset
            .table
            .columns
            .iter()
            .position(|column| column == name)
            .ok_or_else(|| format!("the {DATASET} dataset has no {name} column"))
    };
    let status_column = column("status")?;
    let tickets_column = column("tickets")?;

    // Statuses in the order they first appear, with their totals.
    let mut categories: Vec<String> = Vec::new();
    let mut totals: Vec<f64> = Vec::new();
    for row in &dataset.table.rows {
        let status = match row.get(status_column) {
            Some(Cell::Text(status)) => status.clone(),
            _ => continue,
        };
        let count = match row.get(tickets_column) {
            Some(Cell::Integer(count)) => *count as f64,
            Some(Cell::Number(count)) => *count,
            _ => continue,
        };
        match categories.iter().position(|known| *known == status) {
            Some(index) => totals[index] += count,
            None => {
                categories.push(status);
                totals.push(count);
            }
        }
    }
    Ok(View::Chart(Chart {
        kind,
        title: "Tickets by status".to_string(),
        categories,
        series: vec![Series {
            name: "tickets".to_string(),
            values: totals,
        }],
        x_label: "status".to_string(),
        y_label: "tickets".to_string(),
    }))
}

// Only the wasm32 export uses it.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
struct Widget;

impl Guest for Widget {
    fn describe() -> Description {
        description()
    }

    fn render(parameters: Vec<ParameterValue>, datasets: Vec<Dataset>) -> Result<View, String> {
        render(&parameters, &datasets)
    }
}

// The exported symbol names contain `:`, which only a wasm32 link accepts.
#[cfg(target_arch = "wasm32")]
kefu_plugin_sdk::export_widget!(Widget);

#[cfg(test)]
mod tests {
    use kefu_plugin_sdk::widget::exports::kefu::plugin::widget::Table;

    use super::*;

    fn dataset(rows: &[(&str, i64)]) -> Dataset {
        Dataset {
            name: DATASET.to_string(),
            table: Table {
                columns: ["status", "type", "priority", "tickets"]
                    .map(String::from)
                    .to_vec(),
                rows: rows
                    .iter()
                    .map(|(status, tickets)| {
                        vec![
                            Cell::Text(status.to_string()),
                            Cell::Text("after-sales".to_string()),
                            Cell::Text("normal".to_string()),
                            Cell::Integer(*tickets),
                        ]
                    })
                    .collect(),
            },
        }
    }

    fn parameter(value: &str) -> Vec<ParameterValue> {
        vec![ParameterValue {
            name: "chart".to_string(),
            value: value.to_string(),
        }]
    }

    #[test]
    fn totals_are_summed_per_status() {
        let data = dataset(&[("open", 3), ("resolved", 7), ("open", 5)]);
        let Ok(View::Chart(chart)) = render(&parameter("bar"), &[data]) else {
            panic!("expected a chart");
        };
        assert_eq!(chart.kind, ChartKind::Bar);
        assert_eq!(chart.categories, vec!["open", "resolved"]);
        assert_eq!(chart.series[0].values, vec![8.0, 7.0]);
    }

    #[test]
    fn pie_parameter_gives_pie_chart() {
        let view = render(&parameter("pie"), &[dataset(&[("open", 1)])]).unwrap();
        assert!(matches!(
            view,
            View::Chart(Chart {
                kind: ChartKind::Pie,
                ..
            })
        ));
    }

    #[test]
    fn unknown_chart_kind_is_rejected() {
        let error = render(&parameter("donut"), &[dataset(&[])]).unwrap_err();
        assert!(error.contains("donut"), "{error}");
    }

    #[test]
    fn missing_dataset_is_rejected() {
        let error = render(&parameter("bar"), &[]).unwrap_err();
        assert!(error.contains(DATASET), "{error}");
    }
}
