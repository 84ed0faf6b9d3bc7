//! Export of the shown report from the Reports screen: the metrics of the
//! shown period, grouped by the bar chart's dimension, written as Excel,
//! PDF or CSV by [`kefu_core::export`], the code behind `kefu report
//! --period P --by DIMENSION --format F -o FILE`.
//!
//! The export runs on a thread of its own with a connection of its own,
//! and the screen shows its progress. An existing file is replaced only
//! after the user confirms.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::Utc;
use iced::widget::{Id, button, column, container, row, text, text_input};
use iced::{Alignment, Element, Fill, Task, Theme};
use kefu_core::Store;
use kefu_core::desk::Desk;
use kefu_core::export::{self, ExportFormat, ExportProgress, Exported};
use kefu_core::metrics::{Dimension, Filters, compute};

use crate::background::{self, Step};
use crate::labels::{self, Label};
use crate::style;

/// Widget id of the export path field.
pub fn path_input_id() -> Id {
    Id::from("report-export-path")
}

/// Widget id of the Export button.
pub fn export_button_id() -> Id {
    Id::from("report-export-button")
}

/// Widget id of the button that confirms replacing an existing file.
pub fn replace_button_id() -> Id {
    Id::from("report-export-replace")
}

#[derive(Debug, Clone)]
pub enum Message {
    FormatPressed(ExportFormat),
    PathEdited(String),
    /// The Export button was pressed, or Enter in the path field.
    ExportPressed,
    /// The user confirmed replacing the existing files.
    ReplaceConfirmed,
    ReplaceCancelled,
    /// An update of the export with this request number.
    Progressed(u64, Step<ExportProgress, Exported>),
}

/// The report to export: the one the screen shows.
pub struct Source {
    pub db_path: PathBuf,
    pub desk: Arc<Desk>,
    /// The period label, in `kefu report --period` syntax.
    pub period: String,
    pub dimension: Dimension,
}

/// State of the export line.
#[derive(Debug, Clone)]
enum Status {
    Idle,
    /// The export would replace `existing`; waiting for the user.
    ConfirmReplace {
        path: PathBuf,
        existing: Vec<PathBuf>,
    },
    Running {
        path: PathBuf,
        progress: Option<ExportProgress>,
    },
    Saved(Exported),
    Failed(Label),
}

/// The export controls of the Reports screen.
pub struct ExportPanel {
    format: ExportFormat,
    /// The path field.
    path_text: String,
    /// True once the user edited the path, so that a new period no longer
    /// replaces it with the default.
    path_edited: bool,
    status: Status,
    /// Number of the newest export, so that updates of an older one are
    /// dropped.
    request: u64,
}

impl Default for ExportPanel {
    fn default() -> Self {
        Self {
            format: ExportFormat::Xlsx,
            path_text: String::new(),
            path_edited: false,
            status: Status::Idle,
            request: 0,
        }
    }
}

impl ExportPanel {
    /// Fills in the default path for `period`, unless the user edited it.
    pub fn set_period(&mut self, period: &str) {
        if !self.path_edited {
            self.path_text = default_path(period, self.format).display().to_string();
        }
    }

    /// Returns the progress of the running export, if one runs.
    pub fn progress(&self) -> Option<ExportProgress> {
        match &self.status {
            Status::Running { progress, .. } => *progress,
            _ => None,
        }
    }

    /// True while an export runs.
    pub fn is_running(&self) -> bool {
        matches!(self.status, Status::Running { .. })
    }

    /// Returns what the last export wrote, once it succeeded.
    pub fn saved(&self) -> Option<&Exported> {
        match &self.status {
            Status::Saved(exported) => Some(exported),
            _ => None,
        }
    }

    /// Returns the error of the last export, if it failed.
    pub fn error(&self) -> Option<String> {
        match &self.status {
            Status::Failed(error) => Some(error.text()),
            _ => None,
        }
    }

    /// Returns the files that wait for the user's confirmation to be
    /// replaced.
    pub fn replace_pending(&self) -> Option<&[PathBuf]> {
        match &self.status {
            Status::ConfirmReplace { existing, .. } => Some(existing),
            _ => None,
        }
    }

    /// Returns the text of the path field.
    pub fn path_text(&self) -> &str {
        &self.path_text
    }

    /// Applies `message`. `source` returns the report to export, or `None`
    /// before the screen shows one.
    pub fn update(
        &mut self,
        message: Message,
        source: impl FnOnce() -> Option<Source>,
    ) -> Task<Message> {
        match message {
            Message::FormatPressed(format) => {
                self.select_format(format);
                Task::none()
            }
            Message::PathEdited(path) => {
                self.path_text = path;
                self.path_edited = true;
                Task::none()
            }
            Message::ExportPressed => {
                if self.is_running() {
                    return Task::none();
                }
                let Some(source) = source() else {
                    self.status = Status::Failed(Label::new(labels::export_no_report));
                    return Task::none();
                };
                match self.destination() {
                    Ok(path) => {
                        let existing: Vec<PathBuf> = export::written_paths(self.format, &path)
                            .into_iter()
                            .filter(|path| path.exists())
                            .collect();
                        if existing.is_empty() {
                            self.start(source, path)
                        } else {
                            self.status = Status::ConfirmReplace { path, existing };
                            Task::none()
                        }
                    }
                    Err(error) => {
                        self.status = Status::Failed(error);
                        Task::none()
                    }
                }
            }
            Message::ReplaceConfirmed => {
                let Status::ConfirmReplace { path, .. } = &self.status else {
                    return Task::none();
                };
                let path = path.clone();
                match source() {
                    Some(source) => self.start(source, path),
                    None => {
                        self.status = Status::Failed(Label::new(labels::export_no_report));
                        Task::none()
                    }
                }
            }
            Message::ReplaceCancelled => {
                self.status = Status::Idle;
                Task::none()
            }
            Message::Progressed(number, step) => {
                if number == self.request {
                    self.progressed(step);
                }
                Task::none()
            }
        }
    }

    /// Chooses `format`. The path follows it: the default path changes to
    /// the new extension, and an edited path whose extension names another
    /// format gets the new one.
    fn select_format(&mut self, format: ExportFormat) {
        self.format = format;
        let path = PathBuf::from(self.path_text.trim());
        let named = path
            .extension()
            .and_then(|extension| ExportFormat::from_extension(&extension.to_string_lossy()));
        if named.is_some() && named != Some(format) {
            self.path_text = path
                .with_extension(format.extension())
                .display()
                .to_string();
        }
    }

    /// Returns the file to write: the path field with `~` expanded, a
    /// relative path under the default folder, and the format's extension
    /// added when the name has none. Fails with the message to show when
    /// the path is empty, names another format, or its folder is missing.
    fn destination(&self) -> Result<PathBuf, Label> {
        let text = self.path_text.trim();
        if text.is_empty() {
            return Err(Label::new(labels::export_path_missing));
        }
        let mut path = match text.strip_prefix("~/") {
            Some(rest) => home_folder().join(rest),
            None => PathBuf::from(text),
        };
        if path.is_relative() {
            path = default_folder().join(path);
        }
        match path
            .extension()
            .map(|extension| extension.to_string_lossy())
        {
            None => {
                path.set_extension(self.format.extension());
            }
            Some(extension) if !extension.eq_ignore_ascii_case(self.format.extension()) => {
                let format = self.format;
                return Err(Label::new(move || {
                    labels::export_extension_mismatch(&path, labels::export_format(format))
                }));
            }
            Some(_) => {}
        }
        export::check_destination(&path).map_err(|error| {
            let error = error.to_string();
            Label::new(move || labels::export_failed(&error))
        })?;
        Ok(path)
    }

    fn start(&mut self, source: Source, path: PathBuf) -> Task<Message> {
        self.request += 1;
        let number = self.request;
        let format = self.format;
        tracing::info!(path = %path.display(), period = %source.period, "exporting the report");
        self.status = Status::Running {
            path: path.clone(),
            progress: None,
        };
        let work = background::with_progress("kefu-export", move |report| {
            run_export(&source, format, &path, report).map_err(|error| format!("{error:#}"))
        });
        Task::run(work, move |step| Message::Progressed(number, step))
    }

    fn progressed(&mut self, step: Step<ExportProgress, Exported>) {
        match step {
            Step::Progress(update) => {
                if let Status::Running { progress, .. } = &mut self.status {
                    *progress = Some(update);
                }
            }
            Step::Finished(Ok(exported)) => {
                tracing::info!(rows = exported.rows, files = ?exported.paths, "exported the report");
                self.status = Status::Saved(exported);
            }
            Step::Finished(Err(error)) => {
                tracing::warn!("exporting the report failed: {error}");
                self.status = Status::Failed(Label::new(move || labels::export_failed(&error)));
            }
        }
    }

    pub fn view(&self) -> Element<'_, Message> {
        let running = self.is_running();
        let mut controls = row![text(labels::export()).size(13)]
            .spacing(6)
            .align_y(Alignment::Center);
        for format in ExportFormat::ALL {
            let style: fn(&Theme, button::Status) -> button::Style = if format == self.format {
                button::primary
            } else {
                button::secondary
            };
            let choice = button(text(labels::export_format(format)).size(13))
                .on_press_maybe((!running).then_some(Message::FormatPressed(format)))
                .style(style);
            controls = controls.push(choice);
        }
        let path = text_input(labels::export_path_hint(), &self.path_text)
            .id(path_input_id())
            .on_input(Message::PathEdited)
            .on_submit(Message::ExportPressed)
            .size(13)
            .width(Fill);
        let start = button(text(labels::export_button()).size(13))
            .on_press_maybe((!running).then_some(Message::ExportPressed));
        let start = container(start).id(export_button_id());
        controls = controls.push(path).push(start);

        let Some(line) = self.status_line() else {
            return controls.into();
        };
        column![controls, line].spacing(6).into()
    }

    fn status_line(&self) -> Option<Element<'_, Message>> {
        let line = match &self.status {
            Status::Idle => return None,
            Status::ConfirmReplace { existing, .. } => {
                let question = text(labels::export_replace_question(existing)).size(13);
                let replace = button(text(labels::export_replace()).size(13))
                    .on_press(Message::ReplaceConfirmed)
                    .style(button::danger);
                let replace = container(replace).id(replace_button_id());
                let cancel = button(text(labels::cancel()).size(13))
                    .on_press(Message::ReplaceCancelled)
                    .style(button::secondary);
                let content = row![question, replace, cancel]
                    .spacing(8)
                    .align_y(Alignment::Center);
                container(content).style(style::warning_line)
            }
            Status::Running { path, progress } => {
                let line = labels::export_progress(path, *progress);
                container(text(line).size(13)).style(style::quiet_line)
            }
            Status::Saved(exported) => {
                let line = labels::export_saved(&exported.paths, exported.rows, exported.pages);
                container(text(line).size(13)).style(style::notice_line)
            }
            Status::Failed(error) => {
                container(text(error.text()).size(13)).style(style::error_line)
            }
        };
        Some(line.padding([6, 12]).width(Fill).into())
    }
}

/// Computes the report of `source` on a connection of its own and exports
/// it to `path`, passing on the export's progress.
fn run_export(
    source: &Source,
    format: ExportFormat,
    path: &Path,
    progress: &mut dyn FnMut(ExportProgress),
) -> anyhow::Result<Exported> {
    let mut store = Store::open(&source.db_path)?;
    store.set_desk(source.desk.clone());
    let query = export::query(
        &store,
        &source.period,
        vec![source.dimension],
        Filters::default(),
        Utc::now(),
    )?;
    let report = compute(&store, &query)?;
    export::export(&report, &query.filters, format, path, progress)
}

/// Returns the default export path of `period` in `format`:
/// `kefu-report-PERIOD.EXT` in [`default_folder`].
pub fn default_path(period: &str, format: ExportFormat) -> PathBuf {
    let period: String = period
        .replace("..", "_to_")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    default_folder().join(format!("kefu-report-{period}.{}", format.extension()))
}

/// Returns the user's documents folder when it exists, else the home
/// folder.
fn default_folder() -> PathBuf {
    directories::UserDirs::new()
        .and_then(|dirs| dirs.document_dir().map(Path::to_path_buf))
        .filter(|folder| folder.is_dir())
        .unwrap_or_else(home_folder)
}

/// Returns the user's home folder, or the current folder when the system
/// names none.
fn home_folder() -> PathBuf {
    directories::UserDirs::new()
        .map(|dirs| dirs.home_dir().to_path_buf())
        .unwrap_or_else(|| PathBuf::from("."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_path_names_period_and_format() {
        let path = default_path("2026-11", ExportFormat::Pdf);
        assert_eq!(
            path.file_name().unwrap().to_string_lossy(),
            "kefu-report-2026-11.pdf"
        );
        let path = default_path("2026-11-01..2026-11-15", ExportFormat::Csv);
        assert_eq!(
            path.file_name().unwrap().to_string_lossy(),
            "kefu-report-2026-11-01_to_2026-11-15.csv"
        );
        assert!(path.is_absolute() || path.starts_with("."));
    }

    #[test]
    fn format_change_follows_extension() {
        let mut panel = ExportPanel {
            path_text: "/tmp/november.xlsx".to_string(),
            path_edited: true,
            ..ExportPanel::default()
        };
        panel.select_format(ExportFormat::Pdf);
        assert_eq!(panel.path_text, "/tmp/november.pdf");
        panel.path_text = "/tmp/november.data".to_string();
        panel.select_format(ExportFormat::Csv);
        assert_eq!(panel.path_text, "/tmp/november.data");
    }

    #[test]
    fn destination_adds_extension_and_rejects_mismatch() {
        let folder = tempfile::tempdir().unwrap();
        let mut panel = ExportPanel {
            path_text: folder.path().join("report").display().to_string(),
            ..ExportPanel::default()
        };
        assert_eq!(
            panel.destination().unwrap(),
            folder.path().join("report.xlsx")
        );
        panel.path_text = folder.path().join("report.pdf").display().to_string();
        let error = panel.destination().unwrap_err().text();
        assert!(error.contains("report.pdf"), "{error}");
        assert!(error.contains("Excel"), "{error}");
        panel.path_text = String::new();
        assert_eq!(
            panel.destination().unwrap_err().text(),
            labels::export_path_missing()
        );
    }
}
