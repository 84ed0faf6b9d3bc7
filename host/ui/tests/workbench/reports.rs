//! The reports screen on a database filled by a real import of the sample
//! inputs in tests/fixtures. The tasks that `update` returns, which read
//! the charts and the drill-down lists on background threads, are run to
//! completion and their messages fed back, as the runtime does. Each chart
//! is clicked where `render_rgba` drew a value, and the listed tickets are
//! checked against the metrics computed directly.
//!
//! The built-in widget plugins draw the charts. Another flow installs a
//! third-party widget and a trapping widget from tests/plugins in the
//! plugins folder and checks their tiles.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};

use chrono::Utc;
use iced::Point;
use iced::Task;
use iced::futures::StreamExt;
use iced::keyboard::key::Named;
use iced_test::runtime::{Action, task};
use iced_test::{Simulator, selector, simulator};
use kefu_core::Store;
use kefu_core::ingest::{Ingestor, NoProgress};
use kefu_core::metrics::{
    self, Dimension, Filters, Granularity, MetricsQuery, TicketCount, parse_period,
};
use kefu_core::plugin::PluginSet;
use kefu_report::{Region, Shape};
use kefu_ui::language::Language;
use kefu_ui::{Message, ReportChart, TileContent, Workbench, report_ids, report_widget_labels};
use tempfile::TempDir;

use super::WINDOW_SIZE;

/// Window size of the flow with more tiles than fit in [`WINDOW_SIZE`]:
/// tall enough for three rows of tiles.
const TALL_WINDOW_SIZE: (f32, f32) = (1280.0, 1000.0);

/// The workbench on a database in a temporary folder, with an executor
/// that runs the tasks `update` returns.
pub(super) struct Running {
    _folder: TempDir,
    db_path: PathBuf,
    workbench: Workbench,
    executor: iced::executor::Default,
    window_size: (f32, f32),
}

impl Running {
    /// Runs `workbench`, open on `db_path` in `folder`.
    pub(super) fn new(folder: TempDir, db_path: PathBuf, workbench: Workbench) -> Self {
        Self {
            _folder: folder,
            db_path,
            workbench,
            executor: iced::executor::Default::new().expect("start an executor"),
            window_size: WINDOW_SIZE,
        }
    }

    pub(super) fn db_path(&self) -> &Path {
        &self.db_path
    }

    /// Stops the workbench and returns the folder of its database, as when
    /// the window is closed.
    pub(super) fn close(self) -> (TempDir, PathBuf) {
        (self._folder, self.db_path)
    }

    /// Imports the email, chat and phone samples and opens the workbench.
    fn start() -> Self {
        let (folder, db_path) = Self::import();
        let store = Store::open(&db_path).expect("open the database");
        Self::new(folder, db_path, Workbench::load(store))
    }

    /// Imports the samples, copies the components `components` (paths from
    /// the repository root) into a plugins folder, and starts the workbench
    /// on both, running its plugin load to the end.
    fn start_with_plugins(components: &[&str]) -> Self {
        let (folder, db_path) = Self::import();
        let plugin_folder = folder.path().join("plugins");
        std::fs::create_dir(&plugin_folder).expect("create the plugins folder");
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        for component in components {
            let name = Path::new(component).file_name().unwrap();
            std::fs::copy(root.join(component), plugin_folder.join(name))
                .unwrap_or_else(|error| panic!("copying {component}: {error}"));
        }
        let (workbench, task) = Workbench::start(&db_path, Some(plugin_folder), None);
        let mut running = Self {
            _folder: folder,
            workbench,
            db_path,
            executor: iced::executor::Default::new().expect("start an executor"),
            window_size: TALL_WINDOW_SIZE,
        };
        running.run(task);
        running
    }

    /// Creates a database in a temporary folder and imports the samples.
    fn import() -> (TempDir, PathBuf) {
        let folder = tempfile::tempdir().expect("create a temporary folder");
        let db_path = folder.path().join("kefu.db");
        let mut store = Store::open(&db_path).expect("open the database");
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures");
        let paths: Vec<_> = ["email", "chat", "phone"]
            .iter()
            .map(|folder| fixtures.join(folder))
            .collect();
        let mut plugins = PluginSet::builtin().expect("load the built-in plugins");
        let summary = Ingestor::new(&mut store, &mut plugins)
            .ingest_paths(&paths, &mut NoProgress)
            .expect("import the samples");
        assert!(summary.tickets_opened > 0);
        (folder, db_path)
    }

    pub(super) fn workbench(&self) -> &Workbench {
        &self.workbench
    }

    pub(super) fn simulator(&self) -> Simulator<'_, Message> {
        Simulator::with_size(kefu_ui::settings(), self.window_size, self.workbench.view())
    }

    /// Hands `messages` to `update` and runs the tasks it returns until
    /// they finish, handing their messages on in turn. Widget operations
    /// (focus, scrolling) are skipped.
    fn apply(&mut self, messages: Vec<Message>, what: &str) {
        self.apply_watching(messages, what, |_| {});
    }

    /// Like [`Running::apply`], and calls `watch` with the workbench after
    /// each message, so a test sees the states between the first message
    /// and the last, such as the progress of an export.
    fn apply_watching(
        &mut self,
        messages: Vec<Message>,
        what: &str,
        mut watch: impl FnMut(&Workbench),
    ) {
        assert!(!messages.is_empty(), "{what} produced no message");
        let mut queue: VecDeque<Message> = messages.into();
        while let Some(message) = queue.pop_front() {
            let task: Task<Message> = self.workbench.update(message);
            watch(&self.workbench);
            queue.extend(self.outputs(task));
        }
    }

    /// Runs `task` and the tasks its messages lead to until they finish.
    fn run(&mut self, task: Task<Message>) {
        let messages = self.outputs(task);
        if !messages.is_empty() {
            self.apply(messages, "the task");
        }
    }

    /// Runs `task` to its end and returns the messages it produced.
    fn outputs(&mut self, task: Task<Message>) -> Vec<Message> {
        let Some(stream) = task::into_stream(task) else {
            return Vec::new();
        };
        let actions: Vec<Action<Message>> = self.executor.block_on(stream.collect());
        actions
            .into_iter()
            .filter_map(|action| match action {
                Action::Output(message) => Some(message),
                _ => None,
            })
            .collect()
    }

    pub(super) fn click(&mut self, content: &str) {
        self.click_watching(content, |_| {});
    }

    /// Clicks the widget that shows `content` and calls `watch` after each
    /// message that follows; see [`Running::apply_watching`].
    pub(super) fn click_watching(&mut self, content: &str, watch: impl FnMut(&Workbench)) {
        let messages: Vec<Message> = {
            let mut ui = self.simulator();
            if let Err(error) = ui.click(content) {
                panic!("clicking {content:?} failed: {error}");
            }
            ui.into_messages().collect()
        };
        self.apply_watching(messages, &format!("clicking {content:?}"), watch);
    }

    /// Clicks the widget with id `id` in its middle.
    pub(super) fn click_id(&mut self, id: iced::widget::Id) {
        self.click_id_watching(id, |_| {});
    }

    /// Clicks the widget with id `id` and calls `watch` after each message
    /// that follows; see [`Running::apply_watching`].
    pub(super) fn click_id_watching(
        &mut self,
        id: iced::widget::Id,
        watch: impl FnMut(&Workbench),
    ) {
        let messages: Vec<Message> = {
            let mut ui = self.simulator();
            if let Err(error) = ui.click(selector::id(id.clone())) {
                panic!("clicking {id:?} failed: {error}");
            }
            ui.into_messages().collect()
        };
        self.apply_watching(messages, &format!("clicking {id:?}"), watch);
    }

    /// Replaces the text of the field with id `id` by `content`.
    pub(super) fn fill(&mut self, id: iced::widget::Id, content: &str) {
        let messages: Vec<Message> = {
            let mut ui = self.simulator();
            if let Err(error) = ui.click(selector::id(id.clone())) {
                panic!("clicking {id:?} failed: {error}");
            }
            let _ = ui.tap_key(Named::End);
            for _ in 0..256 {
                let _ = ui.tap_key(Named::Backspace);
            }
            let _ = ui.typewrite(content);
            ui.into_messages().collect()
        };
        self.apply(messages, &format!("typing into {id:?}"));
    }

    /// Moves the cursor to `position` in the window and clicks there.
    fn click_at(&mut self, position: Point) {
        let messages: Vec<Message> = {
            let mut ui = self.simulator();
            ui.point_at(position);
            let _ = ui.simulate(simulator::click());
            ui.into_messages().collect()
        };
        self.apply(messages, &format!("clicking at {position:?}"));
    }

    /// Replaces the text of the period field with `period` and submits it.
    pub(super) fn enter_period(&mut self, period: &str) {
        let messages: Vec<Message> = {
            let mut ui = self.simulator();
            ui.click(selector::id(report_ids::period_input_id()))
                .expect("click the period field");
            let _ = ui.tap_key(Named::End);
            for _ in 0..64 {
                let _ = ui.tap_key(Named::Backspace);
            }
            let _ = ui.typewrite(period);
            let _ = ui.tap_key(Named::Enter);
            ui.into_messages().collect()
        };
        self.apply(messages, "entering the period");
    }

    pub(super) fn assert_no_report_error(&self) {
        assert!(!self.workbench.reports().is_loading());
        if let Some(error) = self.workbench.reports().error() {
            panic!("the report failed: {error}");
        }
    }

    /// Window position of the top left corner of a widget's chart image.
    fn chart_origin(&self, widget_id: &str) -> Point {
        let target = self
            .simulator()
            .find(selector::id(report_ids::tile_id(widget_id)))
            .unwrap_or_else(|error| panic!("the tile of {widget_id} is not found: {error}"));
        target
            .visible_bounds()
            .unwrap_or_else(|| panic!("the tile of {widget_id} is not visible"))
            .position()
    }

    /// Clicks the value of `chart` that `pick` chooses among its regions
    /// and returns the region, the listed ticket ids and the value drawn.
    fn drill_into(
        &mut self,
        chart: ReportChart,
        pick: impl Fn(&[Region]) -> Region,
    ) -> (Region, Vec<i64>, u64) {
        self.drill_into_widget(chart.widget_id(), pick)
    }

    /// Clicks the value that `pick` chooses in the chart of `widget_id`,
    /// and returns the region clicked, without checking the result.
    fn click_value(&mut self, widget_id: &str, pick: impl Fn(&[Region]) -> Region) -> Region {
        let rendered = self
            .workbench
            .reports()
            .drawn(widget_id)
            .unwrap_or_else(|| panic!("{widget_id} drew no chart"));
        let region = pick(&rendered.regions);
        let (x, y) = region.shape.interior_point();
        let origin = self.chart_origin(widget_id);
        self.click_at(Point::new(origin.x + x, origin.y + y));
        region
    }

    /// Like [`Running::drill_into`], for the chart of any widget.
    fn drill_into_widget(
        &mut self,
        widget_id: &str,
        pick: impl Fn(&[Region]) -> Region,
    ) -> (Region, Vec<i64>, u64) {
        let region = self.click_value(widget_id, pick);
        self.assert_no_report_error();
        let (ids, value) = self
            .workbench
            .reports()
            .drill_down()
            .unwrap_or_else(|| panic!("clicking {widget_id} listed no tickets"));
        for id in &ids {
            assert!(
                self.simulator()
                    .find(selector::id(report_ids::ticket_row_id(*id)))
                    .is_ok(),
                "ticket {id} is not in the list"
            );
        }
        (region, ids, value)
    }

    /// The metrics query of the shown period, grouped `by`.
    fn query(&self, by: Vec<Dimension>) -> MetricsQuery {
        let period = self
            .workbench
            .reports()
            .period()
            .expect("a period is shown");
        MetricsQuery {
            period: parse_period(&period.label, period.time_zone).unwrap(),
            by,
            filters: Filters::default(),
            now: Utc::now(),
            recurring_limit: 0,
        }
    }

    fn store(&self) -> Store {
        Store::open(&self.db_path).expect("open a second connection")
    }
}

/// The region with the largest area: the tallest bar, or the widest slice.
fn largest(regions: &[Region]) -> Region {
    *regions
        .iter()
        .max_by_key(|region| area(region))
        .expect("the chart has regions")
}

fn area(region: &Region) -> i64 {
    match region.shape {
        Shape::Rect {
            left,
            top,
            right,
            bottom,
        } => i64::from((right - left).abs()) * i64::from((bottom - top).abs()),
        Shape::Sector { sweep, .. } => (sweep * 1000.0) as i64,
        Shape::Disc { .. } => 0,
    }
}

#[test]
fn report_charts_drill_down_and_open_ticket() {
    let mut running = Running::start();
    running.click("Reports");
    running.assert_no_report_error();
    // The samples span years, so a year shows every chart with values.
    let year = running.workbench().reports().period().unwrap().label[..4].to_string();
    running.enter_period(&year);
    running.assert_no_report_error();
    assert_eq!(running.workbench().reports().period().unwrap().label, year);
    for chart in ReportChart::ALL {
        let drawn = running.workbench().reports().chart(chart);
        assert!(
            drawn.is_some_and(|drawn| !drawn.regions.is_empty()),
            "{chart:?} has no values in {year}"
        );
    }

    // Bars by channel: the tallest bar lists the tickets of its row.
    running.click("Channel");
    running.assert_no_report_error();
    let store = running.store();
    let by_channel = running.query(vec![Dimension::Channel]);
    let report = metrics::compute(&store, &by_channel).unwrap();
    let (region, ids, value) = running.drill_into(ReportChart::Volume, largest);
    let row = &report.rows[region.category];
    let (count, expected) = match region.series {
        0 => (TicketCount::Created, row.created),
        _ => (TicketCount::Resolved, row.resolved),
    };
    assert!(value > 0, "the tallest bar is 0");
    assert_eq!(value, expected);
    assert_eq!(ids.len() as u64, expected);
    let counted = metrics::tickets_counted(&store, &by_channel, &row.key, count).unwrap();
    assert_eq!(ids, counted);

    // The backlog line, at its last point: the tickets open at the end.
    // A year is drawn per week.
    let by_week = running.query(vec![Dimension::Time(Granularity::Week)]);
    let weekly = metrics::compute(&store, &by_week).unwrap();
    let (region, ids, value) = running.drill_into(ReportChart::Backlog, |regions| {
        *regions.last().expect("the line has points")
    });
    let row = &weekly.rows[region.category];
    assert_eq!(value, row.backlog);
    assert_eq!(ids.len() as u64, row.backlog);
    let open = metrics::tickets_counted(&store, &by_week, &row.key, TicketCount::Backlog);
    assert_eq!(ids, open.unwrap());

    // The widest pie slice: the tickets created on that channel.
    let (region, ids, value) = running.drill_into(ReportChart::Channels, largest);
    let with_tickets: Vec<_> = report.rows.iter().filter(|row| row.created > 0).collect();
    let row = with_tickets[region.category];
    assert_eq!(value, row.created);
    let created = metrics::tickets_counted(&store, &by_channel, &row.key, TicketCount::Created);
    assert_eq!(ids, created.unwrap());

    // The busiest hour-of-week cell: tickets created at that local hour.
    let total = running.query(Vec::new());
    let grid = metrics::hour_of_week(&store, &total).unwrap();
    let (region, ids, value) = running.drill_into(ReportChart::HourOfWeek, |regions| {
        *regions
            .iter()
            .max_by_key(|region| grid.count(region.series, region.category))
            .unwrap()
    });
    let expected = grid.count(region.series, region.category);
    assert!(expected > 0);
    assert_eq!(value, expected);
    assert_eq!(ids, grid.tickets[region.series][region.category]);
    // Without dimensions the report has one row, whose key is empty.
    let all_created = metrics::tickets_counted(&store, &total, &[], TicketCount::Created).unwrap();
    assert!(ids.iter().all(|id| all_created.contains(id)));

    // Choosing a ticket opens its conversation in the workbench.
    let ticket_id = ids[0];
    let conversation = store
        .tickets()
        .unwrap()
        .into_iter()
        .find(|ticket| ticket.id == ticket_id)
        .unwrap()
        .conversation_id;
    running.click_id(report_ids::ticket_row_id(ticket_id));
    assert_eq!(
        running.workbench().selected_conversation(),
        Some(conversation)
    );
    assert!(running.simulator().find("Reports").is_ok());
}

#[test]
fn invalid_period_names_the_value() {
    let mut running = Running::start();
    running.click("Reports");
    running.assert_no_report_error();
    running.enter_period("2026-13");
    let error = running
        .workbench()
        .reports()
        .error()
        .expect("an error line");
    assert!(error.contains("\"2026-13\""), "{error}");
    assert!(error.contains("2026-W45"), "{error}");
    // The charts of the last valid period stay.
    assert!(
        running
            .workbench()
            .reports()
            .chart(ReportChart::Channels)
            .is_some()
    );
}

#[test]
fn installed_widgets_get_tiles() {
    let mut running = Running::start_with_plugins(&[
        "tests/plugins/dist/channel-bars-widget.wasm",
        "tests/plugins/dist/trapping-widget.wasm",
    ]);
    running.click("Reports");
    running.assert_no_report_error();
    let year = running.workbench().reports().period().unwrap().label[..4].to_string();
    running.enter_period(&year);
    running.assert_no_report_error();

    // The built-ins first, then the folder's widgets by file name.
    let tiles: Vec<&str> = running
        .workbench()
        .reports()
        .tiles()
        .iter()
        .map(|tile| tile.widget_id.as_str())
        .collect();
    assert_eq!(
        tiles,
        [
            "ticket-volume",
            "backlog",
            "channel-share",
            "hour-of-week",
            "messages-per-day",
            "channel-bars-widget",
            "trapping-widget",
        ]
    );
    for widget_id in tiles {
        assert!(
            running
                .simulator()
                .find(selector::id(report_ids::tile_id(widget_id)))
                .is_ok(),
            "the tile of {widget_id} is not shown"
        );
    }

    // The trapping widget shows its error; the others still draw.
    let trapping = running
        .workbench()
        .reports()
        .tile("trapping-widget")
        .unwrap();
    assert_eq!(trapping.title, "Trapping widget (test widget)");
    let TileContent::Failed(error) = &trapping.content else {
        panic!("the trapping widget did not fail: {:?}", trapping.content);
    };
    assert!(
        error.contains("plugin trapping-widget: render failed"),
        "{error}"
    );
    assert!(
        running
            .simulator()
            .find(format!("This widget failed: {error}").as_str())
            .is_ok(),
        "the tile does not show the error"
    );
    for chart in ReportChart::ALL {
        assert!(
            running.workbench().reports().chart(chart).is_some(),
            "{chart:?}"
        );
    }

    // The third-party widget follows the drill-down convention, so its
    // tallest bar lists the tickets created on its channel.
    let store = running.store();
    let by_channel = running.query(vec![Dimension::Channel]);
    let report = metrics::compute(&store, &by_channel).unwrap();
    let (region, ids, value) = running.drill_into_widget("channel-bars-widget", largest);
    let row = &report.rows[region.category];
    assert!(value > 0, "the tallest bar is 0");
    assert_eq!(value, row.created);
    let created = metrics::tickets_counted(&store, &by_channel, &row.key, TicketCount::Created);
    assert_eq!(ids, created.unwrap());

    // messages-per-day draws days that no dataset row of the convention
    // names, so a click on it leaves the list as it was.
    let listed = running.workbench().reports().drill_down();
    if running
        .workbench()
        .reports()
        .drawn("messages-per-day")
        .is_some_and(|drawn| !drawn.regions.is_empty())
    {
        running.click_value("messages-per-day", largest);
        assert_eq!(running.workbench().reports().drill_down(), listed);
    }
}

#[test]
fn builtin_widget_texts_have_chinese() {
    let mut running = Running::start_with_plugins(&[]);
    running.click("Reports");
    let year = running.workbench().reports().period().unwrap().label[..4].to_string();
    running.enter_period(&year);
    running.assert_no_report_error();

    let tiles = running.workbench().reports().tiles();
    let builtin = tiles
        .iter()
        .filter(|tile| report_widget_labels::is_builtin_widget(&tile.widget_id));
    assert_eq!(builtin.clone().count(), 5, "the five built-in widgets");
    for tile in builtin {
        let widget = tile.widget_id.as_str();
        let chinese = |english: &str| {
            report_widget_labels::translate_in(Language::SimplifiedChinese, widget, english)
        };
        assert_ne!(chinese(&tile.title), tile.title, "{widget}'s title");
        let chart = tile
            .chart()
            .unwrap_or_else(|| panic!("{widget} drew no chart"));
        let english = chart.model();
        let translated =
            report_widget_labels::translate_chart_in(Language::SimplifiedChinese, widget, english);
        assert_ne!(translated.title, english.title, "{widget}'s chart title");
        for (translated, english) in translated.series.iter().zip(&english.series) {
            // The heatmap's series are the weekdays, the others name counts.
            assert_ne!(translated.name, english.name, "{widget}'s series");
        }
        for (translated, english) in [
            (&translated.x_label, &english.x_label),
            (&translated.y_label, &english.y_label),
        ] {
            assert!(
                english.is_empty() || translated != english,
                "{widget}'s axis label {english:?}"
            );
        }
    }
}
