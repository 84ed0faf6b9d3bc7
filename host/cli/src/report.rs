//! `kefu report`: run a report widget on the database and show or save its view.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use kefu_core::Store;
use kefu_core::desk::Desk;
use kefu_core::plugin::widget_api::Description;
use kefu_core::plugin::{PluginError, PluginSet};
use kefu_core::report::{DATASETS, run_widget, to_report_view};

use crate::args::ReportCommand;
use crate::output::{printable, printable_lines};

/// Runs `kefu report`. Without a widget id it lists the widgets and
/// datasets. With one it runs the widget, saves any new faults and prints
/// the view or saves it to `--out`. The desk configuration in `config_dir`
/// sets the time zone of the datasets' periods.
pub fn run(
    db: &Path,
    plugin_dir: &Path,
    config_dir: &Path,
    command: &ReportCommand,
) -> anyhow::Result<ExitCode> {
    let mut store = Store::open_existing(db)?;
    store.set_desk(Desk::load(config_dir)?);
    let mut plugins = PluginSet::load(crate::ingest::engine()?, &store, Some(plugin_dir))?;
    let Some(widget_id) = &command.widget else {
        return list_widgets(&mut plugins);
    };

    let params = parse_params(&command.params)?;
    let (width, height) = parse_size(&command.size)?;
    let known: Vec<String> = plugins
        .widgets
        .iter()
        .map(|widget| widget.plugin.id().to_string())
        .collect();
    let Some(widget) = plugins.widget(widget_id) else {
        anyhow::bail!(
            "no running widget plugin {widget_id:?}; running widgets: {}. `kefu plugin list` \
             shows every plugin with its state",
            if known.is_empty() {
                "none".to_string()
            } else {
                known.join(", ")
            }
        );
    };

    let result = run_widget(&store, widget, &params);
    plugins.save_faults(&store)?;
    plugins.save_kv(&mut store)?;
    let (description, view) = result?;
    let view = to_report_view(widget_id, view)?;

    match &command.out {
        Some(path) => {
            save(&view, path, width, height)?;
            crate::output::print(&format!(
                "{}: saved {}\n",
                printable(&description.title),
                path.display()
            ))?;
        }
        None => crate::output::print(&view_text(&description.title, &view))?,
    }
    Ok(ExitCode::SUCCESS)
}

/// Formats a view under the widget's title: a table as aligned text, a
/// chart as its kind over its data as CSV. Every string the widget
/// supplied is made printable, keeping only the line breaks between rows.
fn view_text(widget_title: &str, view: &kefu_report::View) -> String {
    let text = match view {
        kefu_report::View::Table(table) => kefu_report::table_text(table),
        kefu_report::View::Chart(chart) => {
            let csv = kefu_report::chart_csv(chart);
            // The chart's own title can differ from the widget's.
            let title = if chart.title == widget_title {
                String::new()
            } else {
                format!("{}: ", printable(&chart.title))
            };
            let kind = format!("{:?}", chart.kind).to_lowercase();
            format!("{title}{kind} chart; save it with --out FILE.svg\n{csv}")
        }
    };
    format!("{}\n{}", printable(widget_title), printable_lines(&text))
}

/// Prints each running widget with its title and default parameters, then
/// the datasets widgets can request. A widget whose `describe` fails is
/// listed with the error.
fn list_widgets(plugins: &mut PluginSet) -> anyhow::Result<ExitCode> {
    let mut lines = vec!["Widgets:".to_string()];
    for widget in &mut plugins.widgets {
        let id = widget.plugin.id().to_string();
        lines.push(widget_line(&id, widget.plugin.describe()));
    }
    lines.push("Datasets:".to_string());
    for (name, description) in DATASETS {
        lines.push(format!("  {name}: {description}"));
    }
    crate::output::print(&format!("{}\n", lines.join("\n")))?;
    Ok(ExitCode::SUCCESS)
}

/// Formats one widget of the list: its title and default parameters, or
/// the error its `describe` returned, made printable.
fn widget_line(id: &str, description: Result<Description, PluginError>) -> String {
    match description {
        Ok(description) => {
            let parameters: Vec<String> = description
                .parameters
                .iter()
                .map(|parameter| {
                    printable(&format!("{}={}", parameter.name, parameter.default_value))
                })
                .collect();
            format!(
                "  {id}: {} (parameters: {})",
                printable(&description.title),
                if parameters.is_empty() {
                    "none".to_string()
                } else {
                    parameters.join(", ")
                }
            )
        }
        Err(error) => format!("  {id}: {}", printable(&error.to_string())),
    }
}

/// Parses `--param NAME=VALUE` options into name and value pairs.
pub(crate) fn parse_params(params: &[String]) -> anyhow::Result<Vec<(String, String)>> {
    params
        .iter()
        .map(|param| {
            param
                .split_once('=')
                .map(|(name, value)| (name.trim().to_string(), value.to_string()))
                .with_context(|| {
                    format!("--param {param:?} is not NAME=VALUE, for example days=30")
                })
        })
        .collect()
}

/// Parses a `--size WIDTHxHEIGHT` option into a width and a height in pixels.
pub(crate) fn parse_size(size: &str) -> anyhow::Result<(u32, u32)> {
    size.split_once(['x', 'X'])
        .and_then(|(width, height)| Some((width.trim().parse().ok()?, height.trim().parse().ok()?)))
        .with_context(|| format!("--size {size:?} is not WIDTHxHEIGHT, for example 900x500"))
}

/// Saves a view in the format that the file's extension names: CSV for
/// tables and charts, SVG or PNG for charts only.
pub(crate) fn save(
    view: &kefu_report::View,
    path: &Path,
    width: u32,
    height: u32,
) -> anyhow::Result<()> {
    let extension = path
        .extension()
        .map(|extension| extension.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let bytes = match (extension.as_str(), view) {
        ("csv", kefu_report::View::Table(table)) => kefu_report::table_csv(table).into_bytes(),
        ("csv", kefu_report::View::Chart(chart)) => kefu_report::chart_csv(chart).into_bytes(),
        ("svg", kefu_report::View::Chart(chart)) => {
            kefu_report::render_svg(chart, width, height)?.into_bytes()
        }
        ("png", kefu_report::View::Chart(chart)) => kefu_report::render_png(chart, width, height)?,
        ("svg" | "png", kefu_report::View::Table(_)) => {
            anyhow::bail!(
                "the widget returned a table; save it as .csv instead of {}",
                path.display()
            )
        }
        _ => anyhow::bail!(
            "unsupported file extension in {}; use a .svg, .png or .csv file name",
            path.display()
        ),
    };
    std::fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))
}

#[cfg(test)]
mod tests {
    use kefu_core::plugin::widget_api::{Parameter, ParameterKind};
    use kefu_report::{Cell, Chart, ChartKind, Series, Table, View};

    use super::*;

    /// Title of a hostile widget: sets the terminal title, then clears the screen.
    const HOSTILE: &str = "Sales\u{1b}]0;pwned\u{7}\u{1b}[2J\u{9b}31m";

    fn assert_no_controls(text: &str) {
        let control = text.chars().find(|c| c.is_control() && *c != '\n');
        assert_eq!(control, None, "{text:?}");
    }

    #[test]
    fn widget_line_neutralises_title_and_parameters() {
        let description = Description {
            title: HOSTILE.to_string(),
            parameters: vec![Parameter {
                name: "days\u{1b}[1A".to_string(),
                label: "Days".to_string(),
                kind: ParameterKind::Integer,
                default_value: "7\r".to_string(),
            }],
            datasets: Vec::new(),
        };
        let line = widget_line("hostile", Ok(description));
        assert_no_controls(&line);
        assert!(line.contains("Sales\u{FFFD}]0;pwned"), "{line}");
    }

    #[test]
    fn widget_line_neutralises_error() {
        let error = PluginError::Trap {
            plugin: "hostile".to_string(),
            call: "describe".to_string(),
            message: HOSTILE.to_string(),
        };
        let line = widget_line("hostile", Err(error));
        assert_no_controls(&line);
        assert!(line.contains("Sales"), "{line}");
    }

    #[test]
    fn view_text_neutralises_chart_titles_and_csv() {
        let chart = Chart {
            kind: ChartKind::Bar,
            title: HOSTILE.to_string(),
            categories: vec!["a\u{1b}[2J".to_string()],
            series: vec![Series {
                name: "n\u{7}".to_string(),
                values: vec![1.0],
            }],
            x_label: String::new(),
            y_label: String::new(),
        };
        let text = view_text("Widget\u{1b}]0;x\u{7}", &View::Chart(chart));
        assert_no_controls(&text);
        assert!(text.starts_with("Widget\u{FFFD}]0;x\u{FFFD}\n"), "{text}");
        assert!(text.contains("a\u{FFFD}[2J"), "{text}");
    }

    #[test]
    fn view_text_neutralises_table_cells() {
        let table = Table {
            columns: vec!["name\u{1b}[31m".to_string()],
            rows: vec![vec![Cell::Text(HOSTILE.to_string())]],
        };
        let text = view_text("Table", &View::Table(table));
        assert_no_controls(&text);
        assert!(text.contains("Sales"), "{text}");
    }
}
