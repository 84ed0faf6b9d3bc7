//! The PDF export of the metrics report: a cover with the period and
//! filters, charts, and the metrics in four tables, then peak hours and
//! recurring questions.
//!
//! Headings and column labels are bilingual: Chinese first, then the
//! English name, which for a column is its key in the CSV and Excel
//! exports and in `docs/metrics.md`. The text is drawn in an installed CJK
//! font, of which only the glyphs used are embedded.

mod draw;
mod layout;

use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use chrono::Utc;
use kefu_report::{CJK_FAMILIES, Chart, ChartKind, MAX_CATEGORIES, MAX_LABEL_CHARS, Series};

use super::{ExportStage, Progress, write_file};
use crate::metrics::{Filters, MetricKind, MetricsReport, metric_columns};
use layout::{Align, BLACK, BODY_SIZE, Column, GREY, HEADING_SIZE, Layout, Table, TextMeasure};

/// Chart size in SVG pixels before it is scaled onto the page.
const CHART_WIDTH: u32 = 1_000;
const CHART_HEIGHT: u32 = 430;
/// Height of a chart on the page, in points.
const CHART_PAGE_HEIGHT: f32 = 230.0;

/// A group of metric columns shown as one table.
struct Section {
    heading: &'static str,
    /// Metric keys, as in [`metric_columns`].
    keys: &'static [&'static str],
}

/// The metric tables, in order. A metric missing here is listed in a last
/// table, so that no column of [`metric_columns`] is left out.
const SECTIONS: &[Section] = &[
    Section {
        heading: "工单量 Volume",
        keys: &[
            "created",
            "resolved",
            "backlog",
            "messages_handled",
            "working_hours",
            "resolved_per_working_hour",
            "reopen_rate",
        ],
    },
    Section {
        heading: "首次响应时间（小时）First response (hours)",
        keys: &[
            "first_response_avg_h",
            "first_response_median_h",
            "first_response_p90_h",
            "first_response_business_avg_h",
            "first_response_business_median_h",
            "first_response_business_p90_h",
        ],
    },
    Section {
        heading: "解决时间（小时）Resolution (hours)",
        keys: &[
            "resolution_avg_h",
            "resolution_median_h",
            "resolution_p90_h",
            "resolution_business_avg_h",
            "resolution_business_median_h",
            "resolution_business_p90_h",
        ],
    },
    Section {
        heading: "满意度与 SLA CSAT and SLA",
        keys: &[
            "csat",
            "csat_responses",
            "sla_breach_rate",
            "sla_met",
            "sla_breached",
        ],
    },
];

/// Returns the Chinese label of a metric or dimension key, or the key
/// itself for one without a label.
fn chinese_label(key: &str) -> &str {
    match key {
        "created" => "新建",
        "resolved" => "已解决",
        "backlog" => "积压",
        "messages_handled" => "回复消息",
        "working_hours" => "工作小时",
        "resolved_per_working_hour" => "每工作小时解决",
        "reopen_rate" => "重开率",
        "first_response_avg_h" | "resolution_avg_h" => "平均",
        "first_response_median_h" | "resolution_median_h" => "中位数",
        "first_response_p90_h" | "resolution_p90_h" => "90 分位",
        "first_response_business_avg_h" | "resolution_business_avg_h" => "工作时间平均",
        "first_response_business_median_h" | "resolution_business_median_h" => "工作时间中位数",
        "first_response_business_p90_h" | "resolution_business_p90_h" => "工作时间 90 分位",
        "csat" => "满意度",
        "csat_responses" => "评价数",
        "sla_breach_rate" => "SLA 违约率",
        "sla_met" => "SLA 达成",
        "sla_breached" => "SLA 违约",
        "agent" => "客服",
        "type" => "类型",
        "tier" => "客户等级",
        "channel" => "渠道",
        "ticket" => "工单",
        "hour" => "小时",
        "day" => "日期",
        "week" => "周",
        "month" => "月份",
        "period" => "期间",
        "inbound_messages" => "客户消息",
        "tickets_created" => "新建工单",
        "question" => "问题",
        "tickets" => "工单数",
        "example_ticket" => "示例工单",
        _ => key,
    }
}

/// Formats a metric value as the tables show it: counts whole, hours with
/// two decimals, shares as percentages with one, rates with three. An
/// undefined value is an en dash.
pub(super) fn format_value(value: Option<f64>, kind: MetricKind) -> String {
    match (value, kind) {
        (None, _) => "–".to_string(),
        (Some(value), MetricKind::Count) => format!("{value:.0}"),
        (Some(value), MetricKind::Hours) => format!("{value:.2}"),
        (Some(value), MetricKind::Percent) => format!("{:.1}%", value * 100.0),
        (Some(value), MetricKind::Rate) => format!("{value:.3}"),
    }
}

/// Writes the report as a PDF file and returns its page count. Progress
/// counts the table rows laid out, then the pages drawn.
///
/// Fails, naming the packages to install, when no CJK font is installed,
/// because the headings are Chinese.
pub(super) fn write_pdf(
    report: &MetricsReport,
    filters: &Filters,
    path: &Path,
    progress: &mut Progress<'_>,
) -> anyhow::Result<usize> {
    let face = kefu_report::find_cjk_face().with_context(|| {
        format!(
            "no CJK font found for the PDF's Chinese text; install one of {}, for example \
             fonts-wqy-microhei or fonts-noto-cjk on Debian and Ubuntu",
            CJK_FAMILIES.join(", ")
        )
    })?;
    let font_name = format!(
        "{} ({}, face {})",
        face.family,
        face.path
            .as_ref()
            .map_or("in memory".to_string(), |path| path.display().to_string()),
        face.index
    );
    let measure = TextMeasure::new(&face.data, face.index)
        .with_context(|| format!("reading the font {font_name}"))?;
    let font = krilla::text::Font::new(face.data.clone().into(), face.index)
        .with_context(|| format!("the font {font_name} cannot be embedded in a PDF"))?;
    tracing::info!(font = %font_name, "embedding this font in the PDF");

    let sections = sections();
    let table_rows =
        report.rows.len() * sections.len() + report.peak_hours.len() + report.recurring.len();
    progress.start(ExportStage::LayingOut, table_rows as u64);

    let charts = charts(report, &face)?;
    let mut layout = Layout::new(&measure, progress);
    cover(&mut layout, report, filters, &font_name);
    chart_pages(&mut layout, report, charts.len());
    for (heading, keys) in &sections {
        layout.table(&metrics_table(report, heading, keys));
    }
    layout.table(&peak_hours_table(report));
    layout.table(&recurring_table(report));

    let pages = layout.pages;
    progress.start(ExportStage::DrawingPages, pages.len() as u64);
    let footer = format!("Kefu 客服指标报表 {}", report.period_label());
    let bytes = draw::draw_document(&pages, &charts, &font, &measure, &footer, progress)?;
    progress.start(ExportStage::Saving, 1);
    write_file(path, &bytes)?;
    progress.advance(1);
    Ok(pages.len())
}

/// Returns the metric tables: [`SECTIONS`], then a table of any metric
/// that no section lists.
fn sections() -> Vec<(String, Vec<&'static str>)> {
    let mut sections: Vec<(String, Vec<&'static str>)> = SECTIONS
        .iter()
        .map(|section| (section.heading.to_string(), section.keys.to_vec()))
        .collect();
    let others: Vec<&'static str> = metric_columns()
        .iter()
        .map(|column| column.header)
        .filter(|header| !SECTIONS.iter().any(|section| section.keys.contains(header)))
        .collect();
    if !others.is_empty() {
        sections.push(("其他指标 Other metrics".to_string(), others));
    }
    sections
}

fn cover(layout: &mut Layout<'_, '_>, report: &MetricsReport, filters: &Filters, font: &str) {
    layout.new_page();
    layout.space(60.0);
    layout.paragraph("客服指标报表", 28.0, BLACK);
    layout.paragraph("Kefu metrics report", HEADING_SIZE, GREY);
    layout.space(24.0);

    let grouped_by = if report.by.is_empty() {
        "无，整个期间一行 none, one row for the whole period".to_string()
    } else {
        report
            .by
            .iter()
            .map(|dimension| {
                let key = dimension.header();
                format!("{} {key}", chinese_label(key))
            })
            .collect::<Vec<_>>()
            .join("，")
    };
    let mut filter_parts = Vec::new();
    for (key, value) in [
        ("agent", &filters.agent),
        ("type", &filters.ticket_type),
        ("tier", &filters.tier),
        ("channel", &filters.channel),
    ] {
        if let Some(value) = value {
            filter_parts.push(format!("{} {key} = {value}", chinese_label(key)));
        }
    }
    let filter_text = if filter_parts.is_empty() {
        "无，所有工单 none, all tickets".to_string()
    } else {
        filter_parts.join("；")
    };
    let lines = [
        ("期间 Period", report.period_label()),
        ("时区 Time zone", report.time_zone.clone()),
        (
            "起止 From, to (UTC)",
            format!(
                "{} – {}（不含 excluded）",
                report.from.format("%Y-%m-%d %H:%M"),
                report.to.format("%Y-%m-%d %H:%M")
            ),
        ),
        ("分组 Grouped by", grouped_by),
        ("筛选 Filters", filter_text),
        ("行数 Rows", report.rows.len().to_string()),
        (
            "生成时间 Generated",
            Utc::now().format("%Y-%m-%d %H:%M UTC").to_string(),
        ),
        (
            "定义 Definitions",
            "Kefu 源码中的 docs/metrics.md docs/metrics.md in the Kefu source".to_string(),
        ),
        ("字体 Font", font.to_string()),
    ];
    for (name, value) in lines {
        layout.paragraph(&format!("{name}：{value}"), 11.0, BLACK);
        layout.space(4.0);
    }
}

/// Builds the charts and renders them to SVG, then parses them with the
/// CJK font as the only font, so chart text embeds the same font.
fn charts(report: &MetricsReport, face: &kefu_report::CjkFace) -> anyhow::Result<Vec<usvg::Tree>> {
    let mut database = usvg::fontdb::Database::new();
    database.load_font_data(face.data.clone());
    database.set_sans_serif_family(face.family);
    let options = usvg::Options {
        font_family: face.family.to_string(),
        fontdb: Arc::new(database),
        ..usvg::Options::default()
    };

    let mut charts = Vec::new();
    for chart in [
        created_resolved_chart(report),
        Some(peak_hours_chart(report)),
    ]
    .into_iter()
    .flatten()
    {
        let svg = kefu_report::render_svg(&chart, CHART_WIDTH, CHART_HEIGHT)
            .with_context(|| format!("drawing the chart {:?}", chart.title))?;
        let tree = usvg::Tree::from_str(&svg, &options)
            .with_context(|| format!("reading the SVG of the chart {:?}", chart.title))?;
        charts.push(tree);
    }
    Ok(charts)
}

/// Builds the chart of tickets created and resolved per row: columns up to
/// 60 rows, lines above that, as in the Excel export. Returns `None` when
/// the report has no rows, or more than a chart takes ([`MAX_CATEGORIES`]).
fn created_resolved_chart(report: &MetricsReport) -> Option<Chart> {
    if report.rows.is_empty() || report.rows.len() > MAX_CATEGORIES {
        return None;
    }
    let categories = report
        .rows
        .iter()
        .map(|row| {
            let label = if row.key.is_empty() {
                report.period_label()
            } else {
                row.key.join(" / ")
            };
            label.chars().take(MAX_LABEL_CHARS).collect::<String>()
        })
        .collect();
    let x_label = report
        .dimension_headers()
        .iter()
        .map(|key| format!("{} {key}", chinese_label(key)))
        .collect::<Vec<_>>()
        .join(" / ");
    Some(Chart {
        kind: if report.rows.len() > 60 {
            ChartKind::Line
        } else {
            ChartKind::Bar
        },
        title: "新建与已解决工单 Tickets created and resolved".to_string(),
        categories,
        series: vec![
            Series {
                name: "新建 created".to_string(),
                values: report.rows.iter().map(|row| row.created as f64).collect(),
            },
            Series {
                name: "已解决 resolved".to_string(),
                values: report.rows.iter().map(|row| row.resolved as f64).collect(),
            },
        ],
        x_label,
        y_label: "工单 tickets".to_string(),
    })
}

fn peak_hours_chart(report: &MetricsReport) -> Chart {
    Chart {
        kind: ChartKind::Bar,
        title: format!(
            "每小时客户消息 Customer messages by hour of day ({})",
            report.time_zone
        ),
        categories: report
            .peak_hours
            .iter()
            .map(|peak| peak.hour.to_string())
            .collect(),
        series: vec![
            Series {
                name: "客户消息 inbound messages".to_string(),
                values: report
                    .peak_hours
                    .iter()
                    .map(|peak| peak.inbound_messages as f64)
                    .collect(),
            },
            Series {
                name: "新建工单 tickets created".to_string(),
                values: report
                    .peak_hours
                    .iter()
                    .map(|peak| peak.tickets_created as f64)
                    .collect(),
            },
        ],
        x_label: "小时 hour".to_string(),
        y_label: "数量 count".to_string(),
    }
}

fn chart_pages(layout: &mut Layout<'_, '_>, report: &MetricsReport, chart_count: usize) {
    layout.new_page();
    layout.paragraph("图表 Charts", HEADING_SIZE, BLACK);
    if report.rows.len() > MAX_CATEGORIES {
        layout.paragraph(
            &format!(
                "报表有 {} 行，超过图表上限 {MAX_CATEGORIES} 行，故只画高峰时段图；表格列出所有行。\
                 The report has {} rows, more than a chart shows ({MAX_CATEGORIES}), so only \
                 the peak hours are drawn; the tables list every row.",
                report.rows.len(),
                report.rows.len()
            ),
            BODY_SIZE,
            GREY,
        );
    }
    for index in 0..chart_count {
        layout.space(8.0);
        layout.chart(index, CHART_PAGE_HEIGHT);
    }
}

/// Builds one metric table: the dimension columns, then the metrics `keys`.
fn metrics_table(report: &MetricsReport, heading: &str, keys: &[&str]) -> Table {
    let all = metric_columns();
    let metrics: Vec<_> = keys
        .iter()
        .filter_map(|key| all.iter().find(|column| column.header == *key))
        .collect();
    let mut columns: Vec<Column> = report
        .dimension_headers()
        .into_iter()
        .map(|key| Column {
            label: chinese_label(key).to_string(),
            key: key.to_string(),
            align: Align::Left,
        })
        .collect();
    columns.extend(metrics.iter().map(|metric| Column {
        label: chinese_label(metric.header).to_string(),
        key: metric.header.to_string(),
        align: Align::Right,
    }));
    let rows = report
        .rows
        .iter()
        .map(|row| {
            let mut cells = if report.by.is_empty() {
                vec![report.period_label()]
            } else {
                row.key.clone()
            };
            cells.extend(
                metrics
                    .iter()
                    .map(|metric| format_value((metric.value)(row), metric.kind)),
            );
            cells
        })
        .collect();
    Table {
        heading: heading.to_string(),
        columns,
        rows,
    }
}

fn key_column(key: &str, align: Align) -> Column {
    Column {
        label: chinese_label(key).to_string(),
        key: key.to_string(),
        align,
    }
}

fn peak_hours_table(report: &MetricsReport) -> Table {
    Table {
        heading: format!("高峰时段 Peak hours ({})", report.time_zone),
        columns: vec![
            key_column("hour", Align::Right),
            key_column("inbound_messages", Align::Right),
            key_column("tickets_created", Align::Right),
        ],
        rows: report
            .peak_hours
            .iter()
            .map(|peak| {
                vec![
                    peak.hour.to_string(),
                    peak.inbound_messages.to_string(),
                    peak.tickets_created.to_string(),
                ]
            })
            .collect(),
    }
}

fn recurring_table(report: &MetricsReport) -> Table {
    Table {
        heading: "无标准回复的常见问题 Recurring questions without a canned reply".to_string(),
        columns: vec![
            key_column("question", Align::Left),
            key_column("tickets", Align::Right),
            key_column("example_ticket", Align::Right),
        ],
        rows: report
            .recurring
            .iter()
            .map(|question| {
                vec![
                    question.text.clone(),
                    question.tickets.to_string(),
                    question.example_ticket.to_string(),
                ]
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use crate::metrics::Dimension;

    use super::*;

    /// Every metric column is in exactly one section, so no metric is left
    /// out of the PDF or shown twice.
    #[test]
    fn sections_cover_every_metric_once() {
        let sections = sections();
        for column in metric_columns() {
            let count = sections
                .iter()
                .filter(|(_, keys)| keys.contains(&column.header))
                .count();
            assert_eq!(count, 1, "{} is in {count} sections", column.header);
        }
        assert_eq!(sections.len(), SECTIONS.len(), "a metric has no section");
    }

    #[test]
    fn every_column_has_chinese_label() {
        for column in metric_columns() {
            assert_ne!(chinese_label(column.header), column.header);
        }
        for dimension in [
            "agent", "type", "tier", "channel", "ticket", "hour", "day", "week", "month",
        ] {
            let dimension = Dimension::parse(dimension).unwrap();
            assert_ne!(chinese_label(dimension.header()), dimension.header());
        }
    }

    #[test]
    fn format_value_by_kind() {
        assert_eq!(format_value(Some(3.0), MetricKind::Count), "3");
        assert_eq!(format_value(Some(1.5), MetricKind::Hours), "1.50");
        assert_eq!(format_value(Some(0.5), MetricKind::Percent), "50.0%");
        assert_eq!(format_value(Some(0.125), MetricKind::Rate), "0.125");
        assert_eq!(format_value(None, MetricKind::Hours), "–");
    }
}
