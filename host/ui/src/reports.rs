//! The reports screen: four charts of the metrics of a period, filters for
//! the period and the bar chart's dimension, and the list of the tickets
//! behind a clicked bar, point, slice or cell.
//!
//! The metrics and the ticket lists are read on a background thread with a
//! connection of their own, so the window stays responsive on a large
//! database. A click is hit-tested against the outlines that
//! [`kefu_report::render_rgba`] returns for the values it drew. The shown
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
use iced::{Alignment, Element, Fill, Length, Point, Task, Theme, mouse};
use kefu_core::desk::Desk;
use kefu_core::metrics::{Dimension, Period};
use kefu_report::RenderedChart;

pub use data::{CHART_HEIGHT, CHART_WIDTH, PeriodKind, ReportChart};
use data::{ChartPanel, DIMENSIONS, DrillDown, ReportData, ReportRequest, Selection};
pub use export::{
    ExportPanel, export_button_id, path_input_id as export_path_id, replace_button_id,
};

use crate::plugins::in_background;
use crate::{labels, style};

/// Width of the drill-down list beside the charts, in logical pixels.
const DRILL_DOWN_WIDTH: f32 = 330.0;

/// Widget id of the container around a chart's image, whose top left
/// corner is pixel (0, 0) of the chart.
pub fn chart_id(chart: ReportChart) -> Id {
    Id::from(format!("report-chart-{chart:?}"))
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
    /// The background read of the charts ended: the request number and the
    /// charts or the error.
    Loaded(u64, Result<Arc<ReportData>, String>),
    /// The cursor moved over a chart, to this position in its pixels.
    ChartHovered(ReportChart, Point),
    /// A chart was clicked where the cursor last moved.
    ChartPressed(ReportChart),
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
    error: Option<String>,
    hover: Option<(ReportChart, Point)>,
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
            hover: None,
            drill_down: None,
            drill_down_request: 0,
            drill_down_loading: false,
            export: ExportPanel::default(),
        }
    }

    /// Reads the charts again, for the period in the field, or for the
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
        let number = self.report_request;
        let work = in_background("kefu-reports", move || {
            data::load(&db_path, desk, &request)
                .map(Arc::new)
                .map_err(|error| format!("{error:#}"))
        });
        Task::perform(work, move |result| Message::Loaded(number, result))
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
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    /// Returns the drawn chart, with the outline of each value, once read.
    /// It is `None` also when the period has nothing to draw in it.
    pub fn chart(&self, chart: ReportChart) -> Option<&RenderedChart> {
        self.panel(chart)?.rendered.as_ref()
    }

    /// Returns the ids of the tickets in the drill-down list, and the value
    /// of the clicked bar, point, slice or cell.
    pub fn drill_down(&self) -> Option<(Vec<i64>, u64)> {
        let drill_down = self.drill_down.as_ref()?;
        let ids = drill_down.tickets.iter().map(|row| row.ticket.id).collect();
        Some((ids, drill_down.selection.value))
    }

    fn panel(&self, chart: ReportChart) -> Option<&ChartPanel> {
        let data = self.data.as_ref()?;
        data.panels.iter().find(|panel| panel.chart == chart)
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
            Message::Loaded(number, result) => {
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
                            self.error = Some(labels::report_failed(&error));
                        }
                    }
                }
                (Task::none(), None)
            }
            Message::ChartHovered(chart, position) => {
                self.hover = Some((chart, position));
                (Task::none(), None)
            }
            Message::ChartPressed(chart) => (self.press(chart), None),
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
                            self.error = Some(labels::report_failed(&error));
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

    /// Reads the tickets of the value under the cursor in `chart`, if any.
    fn press(&mut self, chart: ReportChart) -> Task<Message> {
        let Some((hovered, position)) = self.hover else {
            return Task::none();
        };
        if hovered != chart {
            return Task::none();
        }
        let Some(selection) = self
            .panel(chart)
            .and_then(|panel| panel.hit(position.x, position.y))
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
                container(text(error).size(13))
                    .padding([6, 12])
                    .width(Fill)
                    .style(style::error_line),
            );
        }
        let Some(data) = &self.data else {
            return page.push(text(labels::REPORT_LOADING).size(14)).into();
        };
        let panels = &data.panels;
        let grid = column![
            row![chart_view(&panels[0]), chart_view(&panels[1])].spacing(12),
            row![chart_view(&panels[2]), chart_view(&panels[3])].spacing(12),
        ]
        .spacing(12);
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
        let mut controls = row![text(labels::REPORT_PERIOD).size(13)]
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
                text_input(labels::REPORT_PERIOD_HINT, &self.period_text)
                    .id(period_input_id())
                    .on_input(Message::PeriodEdited)
                    .on_submit(Message::PeriodSubmitted)
                    .size(13)
                    .width(Length::Fixed(200.0)),
            )
            .push(button(text(labels::REPORT_SHOW).size(13)).on_press(Message::PeriodSubmitted))
            .push(space::horizontal().width(Length::Fixed(16.0)))
            .push(text(labels::REPORT_BY).size(13));
        for dimension in DIMENSIONS {
            controls = controls.push(choice(
                labels::dimension(dimension),
                self.dimension == dimension,
                Message::DimensionPressed(dimension),
            ));
        }
        if self.is_loading() {
            controls = controls.push(text(labels::REPORT_LOADING).size(12).style(text::secondary));
        } else if let Some(data) = &self.data {
            let period = labels::report_period(&data.period.label, data.period.time_zone.name());
            controls = controls.push(text(period).size(12).style(text::secondary));
        }
        controls.into()
    }

    fn drill_down_view(&self) -> Element<'_, Message> {
        let Some(drill_down) = &self.drill_down else {
            let hint = text(labels::REPORT_DRILL_DOWN_HINT)
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
            let subject = ticket.subject.as_deref().unwrap_or(labels::NO_SUBJECT);
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

/// Shows a chart as an image that reports the cursor position and clicks,
/// or its title and a note when the period has nothing to draw.
fn chart_view(panel: &ChartPanel) -> Element<'_, Message> {
    let size = (
        Length::Fixed(CHART_WIDTH as f32),
        Length::Fixed(CHART_HEIGHT as f32),
    );
    let Some(handle) = &panel.handle else {
        let placeholder = column![
            text(&panel.title).size(14),
            text(labels::REPORT_EMPTY).size(13).style(text::secondary),
        ]
        .spacing(6);
        return container(placeholder).width(size.0).height(size.1).into();
    };
    let chart = panel.chart;
    let picture = image(handle.clone()).width(size.0).height(size.1);
    let area = mouse_area(picture)
        .on_move(move |position| Message::ChartHovered(chart, position))
        .on_press(Message::ChartPressed(chart))
        .interaction(mouse::Interaction::Pointer);
    container(area).id(chart_id(chart)).into()
}
