//! `kefu report --period`: compute the report metrics and print them or
//! export them as CSV, Excel or PDF.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use chrono::Utc;
use indicatif::{ProgressBar, ProgressStyle};
use kefu_core::Store;
use kefu_core::desk::Desk;
use kefu_core::metrics::{
    Dimension, Filters, Granularity, MetricKind, MetricsQuery, MetricsReport, compute,
    metric_columns, parse_period,
};
use rust_xlsxwriter::{
    Chart, ChartType, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError,
};

use crate::args::ReportCommand;
use crate::output::printable_lines;

/// Maximum number of recurring questions a report lists.
const RECURRING_LIMIT: usize = 50;

/// Rows of the largest worksheet Excel opens (2^20, the header included).
const EXCEL_MAX_ROWS: usize = 1_048_576;

/// Above this many rows the metrics chart is a line chart, because
/// thousands of columns are unreadable.
const MAX_COLUMN_CHART_ROWS: usize = 60;

/// Output format of a metrics report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OutputFormat {
    Text,
    Csv,
    Xlsx,
    Pdf,
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
    let time_zone = store.desk().sla.calendar().time_zone();
    let by = command
        .by
        .iter()
        .flat_map(|value| value.split(','))
        .map(Dimension::parse)
        .collect::<anyhow::Result<Vec<_>>>()?;
    let query = MetricsQuery {
        period: parse_period(period, time_zone)?,
        by,
        filters: Filters {
            agent: command.agent.clone(),
            ticket_type: command.ticket_type.clone(),
            tier: command.tier.clone(),
            channel: command.channel.clone(),
        },
        now: Utc::now(),
        recurring_limit: RECURRING_LIMIT,
    };

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
        (OutputFormat::Csv, Some(path)) => {
            let paths = write_csv(&report, path)?;
            let names: Vec<String> = paths
                .iter()
                .map(|path| path.display().to_string())
                .collect();
            crate::output::print(&format!("saved {}\n", names.join(", ")))?;
        }
        (OutputFormat::Xlsx, Some(path)) => {
            write_xlsx(&report, path)?;
            crate::output::print(&format!(
                "saved {} ({} metric rows)\n",
                path.display(),
                report.rows.len()
            ))?;
        }
        (OutputFormat::Pdf, Some(path)) => {
            let pages = crate::metrics_pdf::write_pdf(&report, &query.filters, path)?;
            crate::output::print(&format!(
                "saved {} ({} metric rows, {pages} pages)\n",
                path.display(),
                report.rows.len()
            ))?;
        }
        (OutputFormat::Csv | OutputFormat::Xlsx | OutputFormat::Pdf, None) => anyhow::bail!(
            "--format csv, xlsx and pdf write a file; add -o FILE, for example -o report.{}",
            match format {
                OutputFormat::Csv => "csv",
                OutputFormat::Pdf => "pdf",
                _ => "xlsx",
            }
        ),
    }
    Ok(ExitCode::SUCCESS)
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
        "csv" => Ok(OutputFormat::Csv),
        "xlsx" => Ok(OutputFormat::Xlsx),
        "pdf" => Ok(OutputFormat::Pdf),
        other => anyhow::bail!(
            "--format {other:?} is not supported; use csv, xlsx, pdf or text (the default \
             without -o)"
        ),
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

/// Writes the metrics table to `path` and the peak hours and recurring
/// questions beside it, as `NAME-peak-hours.csv` and `NAME-recurring.csv`.
/// Returns the paths written.
fn write_csv(report: &MetricsReport, path: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let stem = path
        .file_stem()
        .map(|stem| stem.to_string_lossy().into_owned())
        .unwrap_or_else(|| "report".to_string());
    let sibling = |suffix: &str| path.with_file_name(format!("{stem}-{suffix}.csv"));
    let files = [
        (path.to_path_buf(), report.metrics_table()),
        (sibling("peak-hours"), report.peak_hours_table()),
        (sibling("recurring"), report.recurring_table()),
    ];
    let mut written = Vec::new();
    for (file, table) in files {
        std::fs::write(&file, kefu_report::table_csv(&table))
            .with_context(|| format!("writing {}", file.display()))?;
        written.push(file);
    }
    Ok(written)
}

/// Cell formats of the workbook.
struct Formats {
    header: Format,
    count: Format,
    hours: Format,
    percent: Format,
    rate: Format,
    date: Format,
    hour: Format,
    month: Format,
}

impl Formats {
    fn new() -> Self {
        Self {
            header: Format::new()
                .set_bold()
                .set_background_color(0xD9E1F2)
                .set_border(FormatBorder::Thin)
                .set_align(FormatAlign::Center)
                .set_text_wrap(),
            count: Format::new().set_num_format("#,##0"),
            hours: Format::new().set_num_format("0.00"),
            percent: Format::new().set_num_format("0.0%"),
            rate: Format::new().set_num_format("0.000"),
            date: Format::new().set_num_format("yyyy-mm-dd"),
            hour: Format::new().set_num_format("yyyy-mm-dd hh:mm"),
            month: Format::new().set_num_format("yyyy-mm"),
        }
    }
}

/// Writes the report as an Excel workbook: a sheet per table with typed
/// cells, native charts on the metrics and peak-hours sheets, and a sheet
/// that names the period and the time zone. Shows a progress bar on a terminal.
pub(crate) fn write_xlsx(report: &MetricsReport, path: &Path) -> anyhow::Result<()> {
    if report.rows.len() + 1 > EXCEL_MAX_ROWS {
        anyhow::bail!(
            "the report has {} rows, more than an Excel sheet holds ({}); choose a shorter \
             --period, a coarser time --by or export --format csv",
            report.rows.len(),
            EXCEL_MAX_ROWS - 1
        );
    }
    let formats = Formats::new();
    let mut workbook = Workbook::new();
    let progress = ProgressBar::new(report.rows.len() as u64).with_style(
        ProgressStyle::with_template("writing {msg} {bar:30} {pos}/{len} rows")
            .expect("the template is valid"),
    );
    progress.set_message(path.display().to_string());

    let sheet = workbook.add_worksheet();
    write_metrics_sheet(sheet, report, &formats, &progress).context("writing sheet Metrics")?;
    progress.finish_and_clear();
    let sheet = workbook.add_worksheet();
    write_peak_hours_sheet(sheet, report, &formats).context("writing sheet Peak hours")?;
    let sheet = workbook.add_worksheet();
    write_recurring_sheet(sheet, report, &formats).context("writing sheet Recurring questions")?;
    let sheet = workbook.add_worksheet();
    write_about_sheet(sheet, report, &formats).context("writing sheet About")?;
    workbook
        .save(path)
        .with_context(|| format!("writing {}", path.display()))
}

fn write_metrics_sheet(
    sheet: &mut Worksheet,
    report: &MetricsReport,
    formats: &Formats,
    progress: &ProgressBar,
) -> Result<(), XlsxError> {
    sheet.set_name("Metrics")?;
    let metrics = metric_columns();
    let dimensions = report.dimension_headers();
    let first_metric = dimensions.len() as u16;
    for (column, header) in dimensions
        .iter()
        .copied()
        .chain(metrics.iter().map(|metric| metric.header))
        .enumerate()
    {
        sheet.write_string_with_format(0, column as u16, header, &formats.header)?;
    }
    for (index, row) in report.rows.iter().enumerate() {
        let excel_row = index as u32 + 1;
        for (column, value) in row.key.iter().enumerate() {
            let dimension = report.by[column];
            match (dimension, row.period_start) {
                (Dimension::Time(granularity), Some(start)) => {
                    let format = match granularity {
                        Granularity::Hour => &formats.hour,
                        Granularity::Day | Granularity::Week => &formats.date,
                        Granularity::Month => &formats.month,
                    };
                    sheet.write_datetime_with_format(excel_row, column as u16, start, format)?;
                }
                _ => {
                    sheet.write_string(excel_row, column as u16, value)?;
                }
            }
        }
        if report.by.is_empty() {
            sheet.write_string(excel_row, 0, report.period_label())?;
        }
        for (offset, metric) in metrics.iter().enumerate() {
            let column = first_metric + offset as u16;
            let Some(value) = (metric.value)(row) else {
                continue;
            };
            let format = match metric.kind {
                MetricKind::Count => &formats.count,
                MetricKind::Hours => &formats.hours,
                MetricKind::Percent => &formats.percent,
                MetricKind::Rate => &formats.rate,
            };
            sheet.write_number_with_format(excel_row, column, value, format)?;
        }
        if index % 1024 == 0 {
            progress.set_position(index as u64);
        }
    }
    progress.set_position(report.rows.len() as u64);

    let last_row = report.rows.len() as u32;
    let last_column = first_metric + metrics.len() as u16 - 1;
    sheet.set_freeze_panes(1, first_metric)?;
    sheet.set_row_height(0, 45)?;
    for column in 0..first_metric {
        sheet.set_column_width(column, 18)?;
    }
    for column in first_metric..=last_column {
        sheet.set_column_width(column, 12)?;
    }
    if last_row == 0 {
        return Ok(());
    }
    sheet.autofilter(0, 0, last_row, last_column)?;

    // Created and resolved per row, against the first dimension column.
    let mut chart = Chart::new(if report.rows.len() > MAX_COLUMN_CHART_ROWS {
        ChartType::Line
    } else {
        ChartType::Column
    });
    chart.title().set_name("Tickets created and resolved");
    for (offset, name) in [(0, "created"), (1, "resolved")] {
        chart
            .add_series()
            .set_name(name)
            .set_categories(("Metrics", 1, 0, last_row, 0))
            .set_values((
                "Metrics",
                1,
                first_metric + offset,
                last_row,
                first_metric + offset,
            ));
    }
    chart.x_axis().set_name(dimensions[0]);
    chart.y_axis().set_name("tickets");
    sheet.insert_chart(1, last_column + 2, &chart)?;
    Ok(())
}

fn write_peak_hours_sheet(
    sheet: &mut Worksheet,
    report: &MetricsReport,
    formats: &Formats,
) -> Result<(), XlsxError> {
    sheet.set_name("Peak hours")?;
    for (column, header) in ["hour", "inbound_messages", "tickets_created"]
        .iter()
        .enumerate()
    {
        sheet.write_string_with_format(0, column as u16, *header, &formats.header)?;
    }
    for (index, peak) in report.peak_hours.iter().enumerate() {
        let row = index as u32 + 1;
        sheet.write_number(row, 0, f64::from(peak.hour))?;
        sheet.write_number_with_format(row, 1, peak.inbound_messages as f64, &formats.count)?;
        sheet.write_number_with_format(row, 2, peak.tickets_created as f64, &formats.count)?;
    }
    sheet.set_column_width(1, 18)?;
    sheet.set_column_width(2, 16)?;

    let last_row = report.peak_hours.len() as u32;
    let mut chart = Chart::new(ChartType::Column);
    let title = format!("Customer messages by hour of day ({})", report.time_zone);
    chart.title().set_name(&title);
    chart
        .add_series()
        .set_name("inbound messages")
        .set_categories(("Peak hours", 1, 0, last_row, 0))
        .set_values(("Peak hours", 1, 1, last_row, 1));
    chart.x_axis().set_name("hour");
    chart.y_axis().set_name("messages");
    sheet.insert_chart(1, 4, &chart)?;
    Ok(())
}

fn write_recurring_sheet(
    sheet: &mut Worksheet,
    report: &MetricsReport,
    formats: &Formats,
) -> Result<(), XlsxError> {
    sheet.set_name("Recurring questions")?;
    for (column, header) in ["question", "tickets", "example_ticket"].iter().enumerate() {
        sheet.write_string_with_format(0, column as u16, *header, &formats.header)?;
    }
    for (index, question) in report.recurring.iter().enumerate() {
        let row = index as u32 + 1;
        sheet.write_string(row, 0, &question.text)?;
        sheet.write_number_with_format(row, 1, question.tickets as f64, &formats.count)?;
        sheet.write_number(row, 2, question.example_ticket as f64)?;
    }
    sheet.set_column_width(0, 60)?;
    sheet.set_column_width(2, 16)?;
    Ok(())
}

fn write_about_sheet(
    sheet: &mut Worksheet,
    report: &MetricsReport,
    formats: &Formats,
) -> Result<(), XlsxError> {
    sheet.set_name("About")?;
    let lines = [
        ("period", report.period_label()),
        ("time zone", report.time_zone.clone()),
        ("from (UTC)", report.from.to_rfc3339()),
        ("to (UTC, excluded)", report.to.to_rfc3339()),
        (
            "definitions",
            "docs/metrics.md in the Kefu source tree".to_string(),
        ),
    ];
    for (index, (name, value)) in lines.iter().enumerate() {
        sheet.write_string_with_format(index as u32, 0, *name, &formats.header)?;
        sheet.write_string(index as u32, 1, value)?;
    }
    sheet.set_column_width(0, 20)?;
    sheet.set_column_width(1, 40)?;
    Ok(())
}
