//! The Excel export: a sheet per table with typed cells, native charts on
//! the metrics and peak-hours sheets, and a sheet that names the period
//! and the time zone.

use anyhow::Context;
use rust_xlsxwriter::{
    Chart, ChartType, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError,
};

use super::{ExportStage, Progress, write_file};
use crate::metrics::{Dimension, Granularity, MetricKind, MetricsReport, metric_columns};

/// Rows of the largest worksheet Excel opens (2^20, the header included).
const EXCEL_MAX_ROWS: usize = 1_048_576;

/// Above this many rows the metrics chart is a line chart, because
/// thousands of columns are unreadable.
const MAX_COLUMN_CHART_ROWS: usize = 60;

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

/// Writes the report to `path` as an Excel workbook. Progress counts the
/// metrics rows written, then the saving of the file.
pub(super) fn write_xlsx(
    report: &MetricsReport,
    path: &std::path::Path,
    progress: &mut Progress<'_>,
) -> anyhow::Result<()> {
    if report.rows.len() + 1 > EXCEL_MAX_ROWS {
        anyhow::bail!(
            "the report has {} rows, more than an Excel sheet can contain ({}); choose a shorter \
             period, a coarser time dimension or export as CSV",
            report.rows.len(),
            EXCEL_MAX_ROWS - 1
        );
    }
    let formats = Formats::new();
    let mut workbook = Workbook::new();
    progress.start(ExportStage::WritingRows, report.rows.len() as u64);

    let sheet = workbook.add_worksheet();
    write_metrics_sheet(sheet, report, &formats, progress).context("writing sheet Metrics")?;
    let sheet = workbook.add_worksheet();
    write_peak_hours_sheet(sheet, report, &formats).context("writing sheet Peak hours")?;
    let sheet = workbook.add_worksheet();
    write_recurring_sheet(sheet, report, &formats).context("writing sheet Recurring questions")?;
    let sheet = workbook.add_worksheet();
    write_about_sheet(sheet, report, &formats).context("writing sheet About")?;

    progress.start(ExportStage::Saving, 1);
    let bytes = workbook
        .save_to_buffer()
        .with_context(|| format!("compressing the workbook for {}", path.display()))?;
    write_file(path, &bytes)?;
    progress.advance(1);
    Ok(())
}

fn write_metrics_sheet(
    sheet: &mut Worksheet,
    report: &MetricsReport,
    formats: &Formats,
    progress: &mut Progress<'_>,
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
        progress.advance(1);
    }

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
