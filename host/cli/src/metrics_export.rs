//! `kefu report --period`: compute the report metrics and print them or
//! export them as CSV, Excel or PDF through [`kefu_core::export`], with a
//! progress bar on standard error when it is a terminal.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use chrono::Utc;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use kefu_core::Store;
use kefu_core::desk::Desk;
use kefu_core::export::{ExportFormat, ExportProgress, ExportStage};
use kefu_core::metrics::{Dimension, Filters, MetricsReport, compute};

use crate::args::ReportCommand;
use crate::output::printable_lines;

/// Output format of a metrics report: printed text, or an exported file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OutputFormat {
    Text,
    File(ExportFormat),
}

/// Returns true when the command requests the metrics report instead of a
/// widget.
pub fn is_metrics_command(command: &ReportCommand) -> bool {
    command.period.is_some()
        || command.format.is_some()
        || !command.by.is_empty()
        || command.agent.is_some()
        || command.ticket_type.is_some()
        || command.tier.is_some()
        || command.channel.is_some()
}

/// Runs `kefu report --period PERIOD [--by DIM]... [--format F] [-o FILE]`.
pub fn run(db: &Path, config_dir: &Path, command: &ReportCommand) -> anyhow::Result<ExitCode> {
    if let Some(widget) = &command.widget {
        anyhow::bail!(
            "widget {widget:?} and --period, --by, --format or a filter were both given; run \
             `kefu report {widget}` for the widget, or drop the widget id for the metrics report"
        );
    }
    let format = output_format(command)?;
    let Some(period) = &command.period else {
        anyhow::bail!("--period is missing; name the report period, for example --period 2026-11");
    };
    if let Some(channel) = &command.channel
        && !["email", "chat", "phone"].contains(&channel.as_str())
    {
        anyhow::bail!("--channel {channel:?} is not a channel; use email, chat or phone");
    }
    let mut store = Store::open_existing(db)?;
    store.set_desk(Desk::load(config_dir)?);
    let by = command
        .by
        .iter()
        .flat_map(|value| value.split(','))
        .map(Dimension::parse)
        .collect::<anyhow::Result<Vec<_>>>()?;
    let filters = Filters {
        agent: command.agent.clone(),
        ticket_type: command.ticket_type.clone(),
        tier: command.tier.clone(),
        channel: command.channel.clone(),
    };
    let query = kefu_core::export::query(&store, period, by, filters, Utc::now())?;

    let spinner = ProgressBar::new_spinner().with_message("computing the report metrics");
    spinner.enable_steady_tick(std::time::Duration::from_millis(120));
    let report = compute(&store, &query)?;
    spinner.finish_and_clear();
    tracing::info!(rows = report.rows.len(), period = %period, "computed the report metrics");

    match (format, &command.out) {
        (OutputFormat::Text, None) => {
            crate::output::print(&report_text(&report))?;
        }
        (OutputFormat::Text, Some(path)) => {
            std::fs::write(path, report_text(&report))
                .with_context(|| format!("writing {}", path.display()))?;
            crate::output::print(&format!("saved {}\n", path.display()))?;
        }
        (OutputFormat::File(format), Some(path)) => {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            bar.set_message(path.display().to_string());
            let exported =
                kefu_core::export::export(&report, &query.filters, format, path, &mut |progress| {
                    show_progress(&bar, progress)
                });
            bar.finish_and_clear();
            let exported = exported?;
            let names: Vec<String> = exported
                .paths
                .iter()
                .map(|path| path.display().to_string())
                .collect();
            let details = match (format, exported.pages) {
                (ExportFormat::Csv, _) => String::new(),
                (_, Some(pages)) => format!(" ({} metric rows, {pages} pages)", exported.rows),
                (_, None) => format!(" ({} metric rows)", exported.rows),
            };
            crate::output::print(&format!("saved {}{details}\n", names.join(", ")))?;
        }
        (OutputFormat::File(format), None) => anyhow::bail!(
            "--format csv, xlsx and pdf write a file; add -o FILE, for example -o report.{}",
            format.extension()
        ),
    }
    Ok(ExitCode::SUCCESS)
}

/// Shows an export's progress on `bar`: its stage, a bar and the count.
/// indicatif draws nothing when standard error is not a terminal, so
/// piped or logged output stays free of progress lines.
fn show_progress(bar: &ProgressBar, progress: ExportProgress) {
    let template = match progress.stage {
        ExportStage::WritingRows => "writing {msg} {bar:30} {pos}/{len} rows",
        ExportStage::LayingOut => "laying out {msg} {bar:30} {pos}/{len} table rows",
        ExportStage::DrawingPages => "drawing {msg} {bar:30} {pos}/{len} pages",
        ExportStage::Saving => "saving {msg}",
    };
    if progress.done == 0 {
        bar.set_style(ProgressStyle::with_template(template).expect("the template is valid"));
    }
    bar.set_length(progress.total);
    bar.set_position(progress.done);
}

/// Returns the format that `--format` names, else the one the `-o` file's
/// extension names, else text.
fn output_format(command: &ReportCommand) -> anyhow::Result<OutputFormat> {
    let extension = command.out.as_ref().and_then(|path| {
        path.extension()
            .map(|extension| extension.to_string_lossy().to_ascii_lowercase())
    });
    let name = match (&command.format, &extension) {
        (Some(format), _) => format.to_ascii_lowercase(),
        (None, Some(extension)) => extension.clone(),
        (None, None) => "text".to_string(),
    };
    match name.as_str() {
        "text" | "txt" => Ok(OutputFormat::Text),
        other => match ExportFormat::from_extension(other) {
            Some(format) => Ok(OutputFormat::File(format)),
            None => anyhow::bail!(
                "--format {other:?} is not supported; use csv, xlsx, pdf or text (the default \
                 without -o)"
            ),
        },
    }
}

/// Formats the report's three tables as aligned text.
fn report_text(report: &MetricsReport) -> String {
    let mut text = format!(
        "Metrics for {} ({}); definitions in docs/metrics.md\n",
        report.period_label(),
        report.time_zone
    );
    text.push_str(&kefu_report::table_text(&report.metrics_table()));
    text.push_str("\nPeak hours\n");
    text.push_str(&kefu_report::table_text(&report.peak_hours_table()));
    text.push_str("\nRecurring questions without a canned reply\n");
    if report.recurring.is_empty() {
        text.push_str("none\n");
    } else {
        text.push_str(&kefu_report::table_text(&report.recurring_table()));
    }
    printable_lines(&text)
}
