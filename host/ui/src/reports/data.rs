//! The data of the reports screen: the metrics of a period drawn as four
//! charts, and the tickets behind one drawn value. Both are read on a
//! background thread through a connection of their own.

use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use iced::widget::image;
use kefu_core::Store;
use kefu_core::desk::Desk;
use kefu_core::metrics::{
    self, Dimension, Filters, Granularity, MetricsQuery, Period, TicketCount,
};
use kefu_report::{Chart, ChartKind, RenderedChart, Series};

use crate::labels;
use crate::ticket_list::{self, TicketRow};

/// Size of each chart in logical pixels, which is also its size in image
/// pixels, so a click position is a position in the image.
pub const CHART_WIDTH: u32 = 440;
pub const CHART_HEIGHT: u32 = 270;

/// Maximum length in days of a period whose open tickets are drawn per
/// day. Longer periods are drawn per week, and periods over
/// [`MAX_WEEKLY_DAYS`] per month.
const MAX_DAILY_DAYS: i64 = 62;
const MAX_WEEKLY_DAYS: i64 = 731;

/// The charts of the reports screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReportChart {
    /// Bars of tickets created and resolved per value of the chosen
    /// dimension.
    Volume,
    /// A line of the tickets open at the end of each hour, day, week or
    /// month.
    Backlog,
    /// A pie of the tickets created per channel.
    Channels,
    /// A heatmap of the tickets created per local weekday and hour.
    HourOfWeek,
}

impl ReportChart {
    pub const ALL: [ReportChart; 4] = [
        ReportChart::Volume,
        ReportChart::Backlog,
        ReportChart::Channels,
        ReportChart::HourOfWeek,
    ];
}

/// The dimensions the bar chart can group by.
pub const DIMENSIONS: [Dimension; 4] = [
    Dimension::Agent,
    Dimension::TicketType,
    Dimension::Tier,
    Dimension::Channel,
];

/// Parameters of a read of the charts on the background thread.
#[derive(Debug, Clone)]
pub struct ReportRequest {
    /// The period in `kefu report --period` syntax, or `None` for the month
    /// of the newest ticket (the current month without tickets).
    pub period: Option<String>,
    /// Dimension of the bar chart.
    pub dimension: Dimension,
    /// The instant running SLA deadlines are judged at.
    pub now: DateTime<Utc>,
}

/// The tickets that a click on a drawn value selects.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    /// A ticket count of the metrics row with this key.
    Row {
        key: Vec<String>,
        count: TicketCount,
    },
    /// Tickets created on a weekday (0 is Monday) at a local hour.
    HourOfWeek { weekday: usize, hour: usize },
}

/// A chart drawn for the screen, with what each drawn value counts.
#[derive(Debug, Clone)]
pub struct ChartPanel {
    pub chart: ReportChart,
    /// The drawn chart, or `None` when the period has nothing to draw.
    pub rendered: Option<RenderedChart>,
    /// The pixels of `rendered`, for the image widget.
    pub handle: Option<image::Handle>,
    /// Title of the chart, shown above the placeholder when nothing is
    /// drawn.
    pub title: String,
    model: Option<Chart>,
    /// The query the chart's values come from.
    query: MetricsQuery,
    /// Metrics row key of each category.
    keys: Vec<Vec<String>>,
    /// Ticket count of each series.
    counts: Vec<TicketCount>,
}

/// A drawn value that a click hit.
#[derive(Debug, Clone)]
pub struct Selection {
    pub chart: ReportChart,
    /// Series name and category label, such as "Created, email".
    pub label: String,
    /// The value drawn, which is the number of tickets listed.
    pub value: u64,
    query: MetricsQuery,
    target: Target,
}

impl ChartPanel {
    /// Returns the value drawn at `(x, y)` in the chart's pixels, if any.
    pub fn hit(&self, x: f32, y: f32) -> Option<Selection> {
        let region = self.rendered.as_ref()?.region_at(x, y)?;
        let model = self.model.as_ref()?;
        let series = model.series.get(region.series)?;
        let value = *series.values.get(region.category)?;
        let category = &model.categories[region.category];
        let target = match self.chart {
            ReportChart::HourOfWeek => Target::HourOfWeek {
                weekday: region.series,
                hour: region.category,
            },
            _ => Target::Row {
                key: self.keys.get(region.category)?.clone(),
                count: *self.counts.get(region.series)?,
            },
        };
        Some(Selection {
            chart: self.chart,
            label: labels::report_selection(&series.name, category),
            value: value as u64,
            query: self.query.clone(),
            target,
        })
    }
}

/// The four charts of one period.
#[derive(Debug, Clone)]
pub struct ReportData {
    pub period: Period,
    /// Local date the Day, Week and Month buttons start from: the newest
    /// ticket's, or today's without tickets.
    pub anchor: NaiveDate,
    pub panels: Vec<ChartPanel>,
}

/// The tickets behind a selected value.
#[derive(Debug, Clone)]
pub struct DrillDown {
    pub selection: Selection,
    /// Tickets in ascending id order.
    pub tickets: Vec<TicketRow>,
}

/// Opens the database at `db_path` with `desk` and computes the charts of
/// `request`.
pub fn load(
    db_path: &Path,
    desk: Arc<Desk>,
    request: &ReportRequest,
) -> anyhow::Result<ReportData> {
    let mut store = Store::open(db_path)?;
    store.set_desk(desk);
    let time_zone = store.desk().sla.calendar().time_zone();
    let latest = metrics::latest_ticket_opened(&store)?;
    let anchor = latest
        .unwrap_or(request.now)
        .with_timezone(&time_zone)
        .date_naive();
    let period_text = match &request.period {
        Some(text) => text.clone(),
        None => anchor.format("%Y-%m").to_string(),
    };
    let period = metrics::parse_period(&period_text, time_zone)?;
    let query = |by: Vec<Dimension>| MetricsQuery {
        period: period.clone(),
        by,
        filters: Filters::default(),
        now: request.now,
        recurring_limit: 0,
    };

    let panels = vec![
        volume_panel(&store, query(vec![request.dimension]), request.dimension)?,
        backlog_panel(&store, query(vec![Dimension::Time(granularity(&period))]))?,
        channels_panel(&store, query(vec![Dimension::Channel]))?,
        hour_of_week_panel(&store, query(Vec::new()))?,
    ];
    Ok(ReportData {
        period,
        anchor,
        panels,
    })
}

/// Returns the time buckets the backlog line is drawn in: hours for a
/// single day, days up to two months, weeks up to two years, else months.
fn granularity(period: &Period) -> Granularity {
    let days = (period.to - period.from).num_days();
    if days <= 1 {
        Granularity::Hour
    } else if days <= MAX_DAILY_DAYS {
        Granularity::Day
    } else if days <= MAX_WEEKLY_DAYS {
        Granularity::Week
    } else {
        Granularity::Month
    }
}

fn volume_panel(
    store: &Store,
    query: MetricsQuery,
    dimension: Dimension,
) -> anyhow::Result<ChartPanel> {
    let report = metrics::compute(store, &query)?;
    let title = labels::volume_title(dimension.header());
    let keys: Vec<Vec<String>> = report.rows.iter().map(|row| row.key.clone()).collect();
    let series = vec![
        series(labels::CREATED, report.rows.iter().map(|row| row.created)),
        series(labels::RESOLVED, report.rows.iter().map(|row| row.resolved)),
    ];
    let model = Chart {
        kind: ChartKind::Bar,
        title: title.clone(),
        categories: keys.iter().map(|key| key[0].clone()).collect(),
        series,
        x_label: String::new(),
        y_label: labels::TICKETS.to_string(),
    };
    let counts = vec![TicketCount::Created, TicketCount::Resolved];
    panel(ReportChart::Volume, title, model, query, keys, counts)
}

fn backlog_panel(store: &Store, query: MetricsQuery) -> anyhow::Result<ChartPanel> {
    let report = metrics::compute(store, &query)?;
    let title = labels::BACKLOG_TITLE.to_string();
    let keys: Vec<Vec<String>> = report.rows.iter().map(|row| row.key.clone()).collect();
    let model = Chart {
        kind: ChartKind::Line,
        title: title.clone(),
        categories: keys.iter().map(|key| key[0].clone()).collect(),
        series: vec![series(
            labels::OPEN_AT_END,
            report.rows.iter().map(|row| row.backlog),
        )],
        x_label: String::new(),
        y_label: labels::TICKETS.to_string(),
    };
    let empty = report.rows.iter().all(|row| row.backlog == 0);
    let model = (!empty).then_some(model);
    panel_or_empty(
        ReportChart::Backlog,
        title,
        model,
        query,
        keys,
        vec![TicketCount::Backlog],
    )
}

fn channels_panel(store: &Store, query: MetricsQuery) -> anyhow::Result<ChartPanel> {
    let report = metrics::compute(store, &query)?;
    let title = labels::CHANNELS_TITLE.to_string();
    // Slices of 0 are not drawn, so channels without tickets are left out.
    let rows: Vec<_> = report.rows.iter().filter(|row| row.created > 0).collect();
    let keys: Vec<Vec<String>> = rows.iter().map(|row| row.key.clone()).collect();
    let model = Chart {
        kind: ChartKind::Pie,
        title: title.clone(),
        categories: keys.iter().map(|key| key[0].clone()).collect(),
        series: vec![series(labels::CREATED, rows.iter().map(|row| row.created))],
        x_label: String::new(),
        y_label: String::new(),
    };
    let model = (!rows.is_empty()).then_some(model);
    panel_or_empty(
        ReportChart::Channels,
        title,
        model,
        query,
        keys,
        vec![TicketCount::Created],
    )
}

fn hour_of_week_panel(store: &Store, query: MetricsQuery) -> anyhow::Result<ChartPanel> {
    let grid = metrics::hour_of_week(store, &query)?;
    let title = labels::hour_of_week_title(query.period.time_zone.name());
    let series = labels::WEEKDAYS
        .iter()
        .enumerate()
        .map(|(weekday, name)| series(name, (0..24).map(|hour| grid.count(weekday, hour))))
        .collect();
    let model = Chart {
        kind: ChartKind::Heatmap,
        title: title.clone(),
        categories: (0..24).map(|hour| format!("{hour:02}")).collect(),
        series,
        x_label: labels::HOUR_OF_DAY.to_string(),
        y_label: String::new(),
    };
    let empty = grid.tickets.iter().flatten().all(Vec::is_empty);
    let model = (!empty).then_some(model);
    panel_or_empty(
        ReportChart::HourOfWeek,
        title,
        model,
        query,
        Vec::new(),
        Vec::new(),
    )
}

fn series(name: &str, counts: impl Iterator<Item = u64>) -> Series {
    Series {
        name: name.to_string(),
        values: counts.map(|count| count as f64).collect(),
    }
}

fn panel(
    chart: ReportChart,
    title: String,
    model: Chart,
    query: MetricsQuery,
    keys: Vec<Vec<String>>,
    counts: Vec<TicketCount>,
) -> anyhow::Result<ChartPanel> {
    let model = (!model.categories.is_empty()).then_some(model);
    panel_or_empty(chart, title, model, query, keys, counts)
}

/// Draws `model`, or makes an empty panel when it is `None`.
fn panel_or_empty(
    chart: ReportChart,
    title: String,
    model: Option<Chart>,
    query: MetricsQuery,
    keys: Vec<Vec<String>>,
    counts: Vec<TicketCount>,
) -> anyhow::Result<ChartPanel> {
    let rendered = model
        .as_ref()
        .map(|model| kefu_report::render_rgba(model, CHART_WIDTH, CHART_HEIGHT))
        .transpose()
        .with_context(|| format!("drawing the chart {title:?}"))?;
    let handle = rendered.as_ref().map(|rendered| {
        image::Handle::from_rgba(rendered.width, rendered.height, rendered.rgba.clone())
    });
    Ok(ChartPanel {
        chart,
        rendered,
        handle,
        title,
        model,
        query,
        keys,
        counts,
    })
}

/// Opens the database at `db_path` with `desk` and reads the tickets that
/// `selection` counts, labelled by the desk's lifecycle.
pub fn load_drill_down(
    db_path: &Path,
    desk: Arc<Desk>,
    selection: Selection,
) -> anyhow::Result<DrillDown> {
    let mut store = Store::open(db_path)?;
    store.set_desk(desk.clone());
    let ids = match &selection.target {
        Target::Row { key, count } => {
            metrics::tickets_counted(&store, &selection.query, key, *count)?
        }
        Target::HourOfWeek { weekday, hour } => {
            let grid = metrics::hour_of_week(&store, &selection.query)?;
            grid.tickets[*weekday][*hour].clone()
        }
    };
    let tickets = store.tickets_with_ids(&ids)?;
    Ok(DrillDown {
        selection,
        tickets: ticket_list::rows(tickets, &desk.lifecycle),
    })
}

/// Returns the period text of the Day, Week or Month button: the day, ISO
/// week or month that contains `anchor`.
pub fn period_text(kind: PeriodKind, anchor: NaiveDate, current: &Period) -> String {
    match kind {
        PeriodKind::Day => anchor.format("%Y-%m-%d").to_string(),
        PeriodKind::Week => {
            let week = anchor.iso_week();
            format!("{}-W{:02}", week.year(), week.week())
        }
        PeriodKind::Month => anchor.format("%Y-%m").to_string(),
        PeriodKind::Custom => {
            let first = current.from.with_timezone(&current.time_zone).date_naive();
            let last = (current.to - Duration::seconds(1))
                .with_timezone(&current.time_zone)
                .date_naive();
            format!("{first}..{last}")
        }
    }
}

/// The period buttons of the screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodKind {
    Day,
    Week,
    Month,
    /// A range of days the user types, both ends included.
    Custom,
}
