//! The data of the reports screen: one tile per running report widget,
//! drawn for the screen's period and dimension, and the tickets behind one
//! drawn value. Both are read on a background thread through a connection
//! of their own.

use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use iced::widget::image;
use kefu_core::Store;
use kefu_core::desk::Desk;
use kefu_core::metrics::{Dimension, Period};
use kefu_core::plugin::builtin::BUILTIN_PLUGINS;
use kefu_core::plugin::widget_api::{Dataset, Description, ParameterValue, View};
use kefu_core::report::{self, TracedValue, WidgetError};
use kefu_report::{Chart, RenderedChart};

use crate::labels;
use crate::plugins::SharedPlugins;
use crate::ticket_list::{self, TicketRow};

/// Size of each tile's chart in logical pixels, which is also its size in
/// image pixels, so a click position is a position in the image.
pub const CHART_WIDTH: u32 = 440;
pub const CHART_HEIGHT: u32 = 270;

/// The built-in dashboard widgets, whose tiles come first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReportChart {
    /// `ticket-volume`: bars of tickets created and resolved per value of
    /// the chosen dimension.
    Volume,
    /// `backlog`: a line of the tickets open at the end of each hour, day,
    /// week or month.
    Backlog,
    /// `channel-share`: a pie of the tickets created per channel.
    Channels,
    /// `hour-of-week`: a heatmap of the tickets created per local weekday
    /// and hour.
    HourOfWeek,
}

impl ReportChart {
    pub const ALL: [ReportChart; 4] = [
        ReportChart::Volume,
        ReportChart::Backlog,
        ReportChart::Channels,
        ReportChart::HourOfWeek,
    ];

    /// Id of the built-in widget plugin that draws the chart.
    pub fn widget_id(self) -> &'static str {
        match self {
            ReportChart::Volume => "ticket-volume",
            ReportChart::Backlog => "backlog",
            ReportChart::Channels => "channel-share",
            ReportChart::HourOfWeek => "hour-of-week",
        }
    }
}

/// The dimensions the bar chart can group by.
pub const DIMENSIONS: [Dimension; 4] = [
    Dimension::Agent,
    Dimension::TicketType,
    Dimension::Tier,
    Dimension::Channel,
];

/// Parameters of a read of the tiles on the background thread.
#[derive(Debug, Clone)]
pub struct ReportRequest {
    /// The period in `kefu report --period` syntax, or `None` for the month
    /// of the newest ticket (the current month without tickets).
    pub period: Option<String>,
    /// The dimension passed to widgets that declare a `dimension`
    /// parameter.
    pub dimension: Dimension,
    /// The instant running SLA deadlines are judged at.
    pub now: DateTime<Utc>,
}

/// A chart a widget returned, drawn, with what the widget was given.
#[derive(Debug, Clone)]
pub struct DrawnChart {
    /// The drawn chart, with the outline of each value.
    pub rendered: RenderedChart,
    /// The pixels of `rendered`, for the image widget.
    pub handle: image::Handle,
    model: Chart,
    /// The parameter values and datasets the widget rendered from, which a
    /// drawn value is traced back to.
    parameters: Vec<ParameterValue>,
    datasets: Vec<Dataset>,
}

/// Content of a tile.
#[derive(Debug, Clone)]
pub enum TileContent {
    Chart(Box<DrawnChart>),
    /// A table the widget returned, as aligned text.
    Table(String),
    /// The widget returned a table without rows: nothing in this period.
    Empty,
    /// The widget failed, or returned a view that cannot be shown; the
    /// text is the error.
    Failed(String),
}

/// One widget's tile.
#[derive(Debug, Clone)]
pub struct Tile {
    pub widget_id: String,
    /// The widget's title, or its id when `describe` failed.
    pub title: String,
    pub content: TileContent,
    now: DateTime<Utc>,
}

/// A drawn value that a click hit and that traces back to tickets.
#[derive(Debug, Clone)]
pub struct Selection {
    pub widget_id: String,
    /// Series name and category label, such as "Created, email".
    pub label: String,
    /// The value drawn, which is the number of tickets listed.
    pub value: u64,
    traced: TracedValue,
    parameters: Vec<ParameterValue>,
    now: DateTime<Utc>,
}

impl DrawnChart {
    /// Returns the chart as the widget returned it, with its own texts.
    pub fn model(&self) -> &Chart {
        &self.model
    }
}

impl Tile {
    /// Returns the drawn chart, if the widget returned one.
    pub fn chart(&self) -> Option<&DrawnChart> {
        match &self.content {
            TileContent::Chart(chart) => Some(chart.as_ref()),
            _ => None,
        }
    }

    /// Returns the value drawn at `(x, y)` in the chart's pixels, if there
    /// is one and it traces back to a dataset row by the drill-down
    /// convention of [`kefu_core::report::trace_value`].
    pub fn hit(&self, x: f32, y: f32) -> Option<Selection> {
        let chart = self.chart()?;
        let region = chart.rendered.region_at(x, y)?;
        let series = chart.model.series.get(region.series)?;
        let value = *series.values.get(region.category)?;
        let category = chart.model.categories.get(region.category)?;
        let traced = report::trace_value(&chart.datasets, &series.name, category, value)?;
        Some(Selection {
            widget_id: self.widget_id.clone(),
            label: labels::report_selection(
                &labels::report_widgets::translate(&self.widget_id, &series.name),
                &labels::report_widgets::translate_category(&self.widget_id, category),
            ),
            value: traced.count,
            traced,
            parameters: chart.parameters.clone(),
            now: self.now,
        })
    }
}

/// The tiles of one period.
#[derive(Debug, Clone)]
pub struct ReportData {
    pub period: Period,
    /// Dimension of the bar chart, which an export groups by too.
    pub dimension: Dimension,
    /// Local date the Day, Week and Month buttons start from: the newest
    /// ticket's, or today's without tickets.
    pub anchor: NaiveDate,
    pub tiles: Vec<Tile>,
}

/// The tickets behind a selected value.
#[derive(Debug, Clone)]
pub struct DrillDown {
    pub selection: Selection,
    /// Tickets in ascending id order.
    pub tickets: Vec<TicketRow>,
}

/// A widget on its way to a tile: what the calls so far returned.
struct Pending {
    id: String,
    title: String,
    result: Result<Ready, String>,
}

/// A widget whose datasets ran, ready for `render`.
struct Ready {
    parameters: Vec<ParameterValue>,
    datasets: Vec<Dataset>,
}

/// Opens the database at `db_path` with `desk` and draws a tile for each
/// running widget of `plugins`, for the period and dimension of `request`.
/// Fails only when the period is invalid or the database cannot be read;
/// a widget that fails shows its error in its tile.
///
/// The lock on `plugins` is held for the widgets' calls only, not while
/// the datasets are computed, so imports and the scheduler are not held up
/// on a large database.
pub fn load(
    db_path: &Path,
    desk: Arc<Desk>,
    plugins: &SharedPlugins,
    request: &ReportRequest,
) -> anyhow::Result<ReportData> {
    let mut store = Store::open(db_path)?;
    store.set_desk(desk);
    let anchor = report::period_anchor(&store, request.now)?;
    let period_text = request.period.as_deref().unwrap_or_default();
    let period = report::dashboard_period(&store, period_text, request.now)?;

    let described = plugins
        .with_set(|set, _| {
            set.widgets
                .iter_mut()
                .map(|widget| {
                    let id = widget.plugin.id().to_string();
                    let description = match widget.disabled_reason() {
                        Some(reason) => Err(reason.to_string()),
                        None => report::describe_widget(widget).map_err(|error| error.to_string()),
                    };
                    (id, description)
                })
                .collect::<Vec<_>>()
        })
        .map_err(anyhow::Error::msg)?;

    let mut pending = prepare(&store, described, &period, request);
    pending.sort_by_key(|widget| dashboard_position(&widget.id));

    let rendered = plugins
        .with_set(|set, shared_store| {
            let views: Vec<Result<View, String>> =
                pending.iter().map(|widget| render(set, widget)).collect();
            if let Err(error) = set.save_faults(shared_store) {
                tracing::warn!("saving the report widgets' faults failed: {error:#}");
            }
            if let Err(error) = set.save_kv(shared_store) {
                tracing::warn!("saving the report widgets' storage failed: {error:#}");
            }
            views
        })
        .map_err(anyhow::Error::msg)?;

    let tiles = pending
        .into_iter()
        .zip(rendered)
        .map(|(widget, view)| tile(widget, view, request.now))
        .collect();
    Ok(ReportData {
        period,
        dimension: request.dimension,
        anchor,
        tiles,
    })
}

/// Position of a widget's tile: the built-in widgets in their order, then
/// the others in the order they loaded.
fn dashboard_position(widget_id: &str) -> usize {
    BUILTIN_PLUGINS
        .iter()
        .position(|builtin| builtin.id == widget_id)
        .unwrap_or(usize::MAX)
}

/// Resolves each described widget's parameters, with the screen's period
/// and dimension for those it declares, and runs the datasets of all
/// widgets together, so that they share one read of the period's data.
fn prepare(
    store: &Store,
    described: Vec<(String, Result<Description, String>)>,
    period: &Period,
    request: &ReportRequest,
) -> Vec<Pending> {
    // Each widget's id, title, and description with resolved parameters.
    let mut resolved = Vec::new();
    for (id, description) in described {
        let (title, resolution) = match description {
            Ok(description) => {
                let overrides =
                    report::dashboard_overrides(&description, &period.label, request.dimension);
                let resolution = report::resolve_parameters(&id, &description, &overrides)
                    .map_err(|error| widget_error_text(&error));
                let title = labels::report_widgets::translate(&id, &description.title);
                (
                    title,
                    resolution.map(|parameters| (description, parameters)),
                )
            }
            Err(error) => (id.clone(), Err(error)),
        };
        resolved.push((id, title, resolution));
    }

    let runnable: Vec<(&str, &Description, &[ParameterValue])> = resolved
        .iter()
        .filter_map(|(id, _, resolution)| {
            let (description, parameters) = resolution.as_ref().ok()?;
            Some((id.as_str(), description, parameters.as_slice()))
        })
        .collect();
    let mut datasets = report::run_widgets_datasets(store, &runnable, request.now).into_iter();
    resolved
        .into_iter()
        .map(|(id, title, resolution)| {
            let result = resolution.and_then(|(_, parameters)| {
                datasets
                    .next()
                    .expect("one result per runnable widget")
                    .map(|datasets| Ready {
                        parameters,
                        datasets,
                    })
                    .map_err(|error| widget_error_text(&error))
            });
            Pending { id, title, result }
        })
        .collect()
}

/// Calls the `render` of the widget `pending` describes, if it got that
/// far and is still loaded.
fn render(set: &mut kefu_core::plugin::PluginSet, pending: &Pending) -> Result<View, String> {
    let ready = pending.result.as_ref().map_err(Clone::clone)?;
    let Some(widget) = set.widget(&pending.id) else {
        return Err(format!(
            "the plugin {} was unloaded while the report was read",
            pending.id
        ));
    };
    if let Some(reason) = widget.disabled_reason() {
        return Err(reason.to_string());
    }
    report::render_widget(widget, &ready.parameters, &ready.datasets)
        .map_err(|error| widget_error_text(&error))
}

fn widget_error_text(error: &WidgetError) -> String {
    match error {
        WidgetError::Store(error) => format!("{error:#}"),
        other => other.to_string(),
    }
}

/// Checks and draws a widget's view.
fn tile(pending: Pending, view: Result<View, String>, now: DateTime<Utc>) -> Tile {
    let Pending { id, title, result } = pending;
    let content = match (result, view) {
        (Ok(ready), Ok(view)) => content(&id, ready, view),
        (_, Err(error)) => TileContent::Failed(error),
        (Err(error), _) => TileContent::Failed(error),
    };
    if let TileContent::Failed(error) = &content {
        tracing::warn!(plugin = id, "report widget failed: {error}");
    }
    Tile {
        widget_id: id,
        title,
        content,
        now,
    }
}

fn content(id: &str, ready: Ready, view: View) -> TileContent {
    let view = match report::to_report_view(id, view) {
        Ok(view) => view,
        Err(error) => return TileContent::Failed(widget_error_text(&error)),
    };
    match view {
        kefu_report::View::Table(table) if table.rows.is_empty() => TileContent::Empty,
        kefu_report::View::Table(table) => TileContent::Table(kefu_report::table_text(&table)),
        kefu_report::View::Chart(model) => {
            // The drawing shows the texts in the UI's language, while the
            // model keeps the names the drill-down looks up.
            let drawn = labels::report_widgets::translate_chart(id, &model);
            match kefu_report::render_rgba(&drawn, CHART_WIDTH, CHART_HEIGHT) {
                Ok(rendered) => {
                    let handle = image::Handle::from_rgba(
                        rendered.width,
                        rendered.height,
                        rendered.rgba.clone(),
                    );
                    TileContent::Chart(Box::new(DrawnChart {
                        rendered,
                        handle,
                        model,
                        parameters: ready.parameters,
                        datasets: ready.datasets,
                    }))
                }
                Err(error) => TileContent::Failed(format!("drawing the chart failed: {error}")),
            }
        }
    }
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
    let ids = report::traced_tickets(
        &store,
        &selection.traced,
        &selection.parameters,
        selection.now,
    )?;
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
