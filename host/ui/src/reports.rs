//! The reports screen: one tile per running report widget plugin, filters
//! for the period and the bar chart's dimension, and the list of the
//! tickets behind a clicked bar, point, slice or cell.
//!
//! The built-in widgets `ticket-volume`, `backlog`, `channel-share` and
//! `hour-of-week` come first, then the others in the order they loaded. A
//! widget that declares a `period` or `dimension` parameter gets the
//! screen's. The tiles and the ticket lists are read on a background thread
//! with a connection of their own, so the window stays responsive on a
//! large database. A click is hit-tested against the outlines that
//! [`kefu_report::render_rgba`] returns for the values it drew, and lists
//! tickets when the value follows the drill-down convention of
//! [`kefu_core::report::trace_value`]. The shown
//! report exports to Excel, PDF or CSV from the line below the filters
//! ([`export`]).

mod data;
mod export;

use std::path::PathBuf;
use std::sync::Arc;

use chrono::Utc;
use iced::widget::{
    Id, button, column, container, image, mouse_area, row, scrollable, space, text, text_input,
};
use iced::{Alignment, Element, Fill, Font, Length, Point, Task, Theme, mouse};
use kefu_core::desk::Desk;
use kefu_core::metrics::{Dimension, Period};
use kefu_report::RenderedChart;

pub use data::{CHART_HEIGHT, CHART_WIDTH, PeriodKind, ReportChart, Tile, TileContent};
use data::{DIMENSIONS, DrillDown, ReportData, ReportRequest, Selection};
pub use export::{
    ExportPanel, export_button_id, path_input_id as export_path_id, replace_button_id,
};

use crate::labels::{self, Label};
use crate::plugins::{SharedPlugins, in_background};
use crate::style;

/// Width of the drill-down list beside the charts, in logical pixels.
const DRILL_DOWN_WIDTH: f32 = 330.0;

/// Widget id of the tile of the report widget plugin `widget_id`. For a
/// chart it is the container around the image, whose top left corner is
/// pixel (0, 0) of the chart.
pub fn tile_id(widget_id: &str) -> Id {
    Id::from(format!("report-tile-{widget_id}"))
}

/// Widget id of the tile of a built-in chart.
pub fn chart_id(chart: ReportChart) -> Id {
    tile_id(chart.widget_id())
}

/// Widget id of a ticket's row in the drill-down list.
pub fn ticket_row_id(ticket_id: i64) -> Id {
    Id::from(format!("report-ticket-{ticket_id}"))
}

/// Widget id of the period field.
pub fn period_input_id() -> Id {
    Id::from("report-period")
}

#[derive(Debug, Clone)]
pub enum Message {
    PeriodKindPressed(PeriodKind),
    PeriodEdited(String),
    /// The period field was submitted or the Show button pressed.
    PeriodSubmitted,
    DimensionPressed(Dimension),
    /// The background read of the tiles ended: the request number, the
    /// tiles or the error, and the built-in plugins it loaded when the
    /// app's plugin set was not loaded.
    Loaded(u64, Result<Arc<ReportData>, String>, Option<SharedPlugins>),
    /// The cursor moved over the chart of a widget's tile, to this position
    /// in its pixels.
    ChartHovered(String, Point),
    /// The chart of a widget's tile was clicked where the cursor last
    /// moved.
    ChartPressed(String),
    /// The background read of a drill-down ended.
    DrillDownLoaded(u64, Result<Arc<DrillDown>, String>),
    /// A ticket of the drill-down list was clicked: the ticket and its
    /// conversation.
    TicketPressed(i64, i64),
    Export(export::Message),
}

/// Request to the workbench that an update returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// Show the conversation of a ticket chosen in the drill-down list.
    OpenConversation(i64),
}

/// State of the reports screen.
pub struct Reports {
    db_path: PathBuf,
    desk: Arc<Desk>,
    period_kind: PeriodKind,
    /// The period field; empty until the first read fills it in.
    period_text: String,
    dimension: Dimension,
    /// Number of the newest read of the charts, so that an older result
    /// arriving late is dropped.
    report_request: u64,
    loading: bool,
    data: Option<Arc<ReportData>>,
    error: Option<Label>,
    /// The app's loaded plugins, whose widgets the tiles show.
    plugins: Option<SharedPlugins>,
    /// The built-in plugins, loaded by the screen itself when it was read
    /// before or without the app's set.
    // NOTE: opening the screen while the app's plugins still load compiles
    // the built-ins a second time, which the compile cache usually makes
    // cheap. The screen switches to the app's set once it is loaded.
    builtin: Option<SharedPlugins>,
    hover: Option<(String, Point)>,
    drill_down: Option<Arc<DrillDown>>,
    /// Number of the newest read of a drill-down list.
    drill_down_request: u64,
    drill_down_loading: bool,
    export: ExportPanel,
}

impl Reports {
    pub fn new(db_path: PathBuf, desk: Arc<Desk>) -> Self {
        Self {
            db_path,
            desk,
            period_kind: PeriodKind::Month,
            period_text: String::new(),
            dimension: Dimension::Agent,
            report_request: 0,
            loading: false,
            data: None,
            error: None,
            plugins: None,
            builtin: None,
            hover: None,
            drill_down: None,
            drill_down_request: 0,
            drill_down_loading: false,
            export: ExportPanel::default(),
        }
    }

    /// Sets the plugins whose widgets the next read shows; `None` while the
    /// app's plugins load or after they failed, when the built-in widgets
    /// are shown.
    pub fn set_plugins(&mut self, plugins: Option<SharedPlugins>) {
        self.plugins = plugins;
    }

    /// Reads the tiles again, for the period in the field, or for the
    /// month of the newest ticket when the field is empty.
    pub fn reload(&mut self) -> Task<Message> {
        self.report_request += 1;
        self.loading = true;
        // A drill-down still being read belongs to the old charts.
        self.drill_down_request += 1;
        self.drill_down_loading = false;
        let request = ReportRequest {
            period: Some(self.period_text.trim().to_string()).filter(|text| !text.is_empty()),
            dimension: self.dimension,
            now: Utc::now(),
        };
        let (db_path, desk) = (self.db_path.clone(), self.desk.clone());
        let plugins = self.plugins.clone().or_else(|| self.builtin.clone());
        let number = self.report_request;
        let work = in_background("kefu-reports", move || {
            let (plugins, builtin) = match plugins {
                Some(plugins) => (plugins, None),
                None => {
                    let builtin = SharedPlugins::builtin(&db_path, desk.clone())
                        .map_err(|error| format!("{error:#}"))?;
                    (builtin.clone(), Some(builtin))
                }
            };
            let data = data::load(&db_path, desk, &plugins, &request)
                .map(Arc::new)
                .map_err(|error| format!("{error:#}"));
            Ok((data, builtin))
        });
        Task::perform(work, move |result| match result {
            Ok((data, builtin)) => Message::Loaded(number, data, builtin),
            Err(error) => Message::Loaded(number, Err(error), None),
        })
    }

    /// True while the charts or a drill-down are being read.
    pub fn is_loading(&self) -> bool {
        self.loading || self.drill_down_loading
    }

    /// Returns the period shown, once read.
    pub fn period(&self) -> Option<&Period> {
        self.data.as_ref().map(|data| &data.period)
    }

    /// Returns the export controls, with the state of the last export.
    pub fn export(&self) -> &ExportPanel {
        &self.export
    }

    /// Returns the error of the last read, if it failed.
    pub fn error(&self) -> Option<String> {
        self.error.as_ref().map(Label::text)
    }

    /// Returns the tiles, once read.
    pub fn tiles(&self) -> &[Tile] {
        self.data.as_ref().map_or(&[], |data| data.tiles.as_slice())
    }

    /// Returns the tile of the widget `widget_id`, once read.
    pub fn tile(&self, widget_id: &str) -> Option<&Tile> {
        self.tiles().iter().find(|tile| tile.widget_id == widget_id)
    }

    /// Returns a built-in chart as drawn, with the outline of each value,
    /// once read. It is `None` also when the period has nothing to draw in
    /// it.
    pub fn chart(&self, chart: ReportChart) -> Option<&RenderedChart> {
        self.drawn(chart.widget_id())
    }

    /// Returns the chart of the widget `widget_id` as drawn, if its tile
    /// shows one.
    pub fn drawn(&self, widget_id: &str) -> Option<&RenderedChart> {
        Some(&self.tile(widget_id)?.chart()?.rendered)
    }

    /// Returns the ids of the tickets in the drill-down list, and the value
    /// of the clicked bar, point, slice or cell.
    pub fn drill_down(&self) -> Option<(Vec<i64>, u64)> {
        let drill_down = self.drill_down.as_ref()?;
        let ids = drill_down.tickets.iter().map(|row| row.ticket.id).collect();
        Some((ids, drill_down.selection.value))
    }

    pub fn update(&mut self, message: Message) -> (Task<Message>, Option<Event>) {
        match message {
            Message::PeriodKindPressed(kind) => {
                self.period_kind = kind;
                let Some(data) = &self.data else {
                    return (Task::none(), None);
                };
                self.period_text = data::period_text(kind, data.anchor, &data.period);
                if kind == PeriodKind::Custom {
                    // The user edits the range first and submits it.
                    return (iced::widget::operation::focus(period_input_id()), None);
                }
                (self.reload(), None)
            }
            Message::PeriodEdited(text) => {
                self.period_text = text;
                (Task::none(), None)
            }
            Message::PeriodSubmitted => (self.reload(), None),
            Message::DimensionPressed(dimension) => {
                self.dimension = dimension;
                (self.reload(), None)
            }
            Message::Loaded(number, result, builtin) => {
                if builtin.is_some() {
                    self.builtin = builtin;
                }
                if number == self.report_request {
                    self.loading = false;
                    match result {
                        Ok(data) => {
                            self.period_text = data.period.label.clone();
                            self.export.set_period(&data.period.label);
                            self.data = Some(data);
                            self.error = None;
                            self.drill_down = None;
                        }
                        Err(error) => {
                            tracing::warn!(period = %self.period_text, "reading the report failed: {error}");
                            self.error = Some(Label::new(move || labels::report_failed(&error)));
                        }
                    }
                }
                (Task::none(), None)
            }
            Message::ChartHovered(widget_id, position) => {
                self.hover = Some((widget_id, position));
                (Task::none(), None)
            }
            Message::ChartPressed(widget_id) => (self.press(&widget_id), None),
            Message::DrillDownLoaded(number, result) => {
                if number == self.drill_down_request {
                    self.drill_down_loading = false;
                    match result {
                        Ok(drill_down) => {
                            self.drill_down = Some(drill_down);
                            self.error = None;
                        }
                        Err(error) => {
                            tracing::warn!("reading the tickets of a chart value failed: {error}");
                            self.error = Some(Label::new(move || labels::report_failed(&error)));
                        }
                    }
                }
                (Task::none(), None)
            }
            Message::TicketPressed(_, conversation_id) => {
                (Task::none(), Some(Event::OpenConversation(conversation_id)))
            }
            Message::Export(message) => {
                let source = || {
                    let data = self.data.as_ref()?;
                    Some(export::Source {
                        db_path: self.db_path.clone(),
                        desk: self.desk.clone(),
                        period: data.period.label.clone(),
                        dimension: data.dimension,
                    })
                };
                let task = self.export.update(message, source);
                (task.map(Message::Export), None)
            }
        }
    }

    /// Reads the tickets of the value under the cursor in the chart of
    /// `widget_id`, if any value there traces back to tickets.
    fn press(&mut self, widget_id: &str) -> Task<Message> {
        let Some((hovered, position)) = &self.hover else {
            return Task::none();
        };
        if hovered != widget_id {
            return Task::none();
        }
        let Some(selection) = self
            .tile(widget_id)
            .and_then(|tile| tile.hit(position.x, position.y))
        else {
            return Task::none();
        };
        self.select(selection)
    }

    fn select(&mut self, selection: Selection) -> Task<Message> {
        self.drill_down_request += 1;
        self.drill_down_loading = true;
        let (db_path, desk) = (self.db_path.clone(), self.desk.clone());
        let number = self.drill_down_request;
        let work = in_background("kefu-reports", move || {
            data::load_drill_down(&db_path, desk, selection)
                .map(Arc::new)
                .map_err(|error| format!("{error:#}"))
        });
        Task::perform(work, move |result| Message::DrillDownLoaded(number, result))
    }

    pub fn view(&self) -> Element<'_, Message> {
        let export = self.export.view().map(Message::Export);
        let mut page = column![self.controls(), export].spacing(8).padding(12);
        if let Some(error) = &self.error {
            page = page.push(
                container(text(error.text()).size(13))
                    .padding([6, 12])
                    .width(Fill)
                    .style(style::error_line),
            );
        }
        let Some(data) = &self.data else {
            return page.push(text(labels::report_loading()).size(14)).into();
        };
        if data.tiles.is_empty() {
            return page.push(text(labels::report_no_widgets()).size(14)).into();
        }
        let mut grid = column![].spacing(12);
        for pair in data.tiles.chunks(2) {
            grid = grid.push(row(pair.iter().map(tile_view)).spacing(12));
        }
        page.push(row![scrollable(grid), self.drill_down_view()].spacing(12))
            .into()
    }

    fn controls(&self) -> Element<'_, Message> {
        let choice = |label: &'static str, selected: bool, message: Message| {
            let style: fn(&Theme, button::Status) -> button::Style = if selected {
                button::primary
            } else {
                button::secondary
            };
            button(text(label).size(13)).on_press(message).style(style)
        };
        let mut controls = row![text(labels::report_period_label()).size(13)]
            .spacing(6)
            .align_y(Alignment::Center);
        for kind in [
            PeriodKind::Day,
            PeriodKind::Week,
            PeriodKind::Month,
            PeriodKind::Custom,
        ] {
            let selected = self.period_kind == kind;
            controls = controls.push(choice(
                labels::period_kind(kind),
                selected,
                Message::PeriodKindPressed(kind),
            ));
        }
        controls = controls
            .push(
                text_input(labels::report_period_hint(), &self.period_text)
                    .id(period_input_id())
                    .on_input(Message::PeriodEdited)
                    .on_submit(Message::PeriodSubmitted)
                    .size(13)
                    .width(Length::Fixed(200.0)),
            )
            .push(button(text(labels::report_show()).size(13)).on_press(Message::PeriodSubmitted))
            .push(space::horizontal().width(Length::Fixed(16.0)))
            .push(text(labels::report_by()).size(13));
        for dimension in DIMENSIONS {
            controls = controls.push(choice(
                labels::dimension(dimension),
                self.dimension == dimension,
                Message::DimensionPressed(dimension),
            ));
        }
        if self.is_loading() {
            controls = controls.push(
                text(labels::report_loading())
                    .size(12)
                    .style(text::secondary),
            );
        } else if let Some(data) = &self.data {
            let period = labels::report_period(&data.period.label, data.period.time_zone.name());
            controls = controls.push(text(period).size(12).style(text::secondary));
        }
        controls.into()
    }

    fn drill_down_view(&self) -> Element<'_, Message> {
        let Some(drill_down) = &self.drill_down else {
            let hint = text(labels::report_drill_down_hint())
                .size(13)
                .style(text::secondary);
            return container(hint)
                .width(Length::Fixed(DRILL_DOWN_WIDTH))
                .into();
        };
        let heading =
            labels::drill_down_heading(&drill_down.selection.label, drill_down.tickets.len());
        let mut list = column![].spacing(4);
        for row in &drill_down.tickets {
            let ticket = &row.ticket;
            let subject = ticket.subject.as_deref().unwrap_or(labels::no_subject());
            let details = labels::drill_down_details(&row.customer, &row.ticket_type, &row.status);
            let content = column![
                text(format!("#{} {subject}", ticket.id)).size(13),
                text(details).size(12).style(text::secondary),
            ];
            let ticket_button = button(content)
                .on_press(Message::TicketPressed(ticket.id, ticket.conversation_id))
                .width(Fill)
                .style(style::list_row(false));
            list = list.push(container(ticket_button).id(ticket_row_id(ticket.id)));
        }
        column![text(heading).size(14), scrollable(list)]
            .spacing(8)
            .width(Length::Fixed(DRILL_DOWN_WIDTH))
            .into()
    }
}

/// Shows a tile: a chart as an image that reports the cursor position and
/// clicks, a table as text, or the widget's title with a note when it has
/// nothing to show or failed.
fn tile_view(tile: &Tile) -> Element<'_, Message> {
    let size = (
        Length::Fixed(CHART_WIDTH as f32),
        Length::Fixed(CHART_HEIGHT as f32),
    );
    let heading = text(&tile.title).size(14);
    let body: Element<'_, Message> = match &tile.content {
        TileContent::Chart(chart) => {
            let widget_id = tile.widget_id.clone();
            let picture = image(chart.handle.clone()).width(size.0).height(size.1);
            let area = mouse_area(picture)
                .on_move(move |position| Message::ChartHovered(widget_id.clone(), position))
                .on_press(Message::ChartPressed(tile.widget_id.clone()))
                .interaction(mouse::Interaction::Pointer);
            return container(area).id(tile_id(&tile.widget_id)).into();
        }
        TileContent::Table(table) => scrollable(text(table).size(12).font(Font::MONOSPACE)).into(),
        TileContent::Empty => text(labels::report_empty())
            .size(13)
            .style(text::secondary)
            .into(),
        TileContent::Failed(error) => container(text(labels::widget_failed(error)).size(13))
            .padding([6, 12])
            .width(Fill)
            .style(style::error_line)
            .into(),
    };
    container(column![heading, body].spacing(6))
        .id(tile_id(&tile.widget_id))
        .width(size.0)
        .height(size.1)
        .into()
}
