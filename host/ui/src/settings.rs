//! The settings screen: the theme and language of `ui.toml`, the alert
//! settings of `alerts.toml`, the time zone of `sla.toml`, and the agent's
//! profile in the database.
//!
//! Each section saves on its own button. A save checks every field first
//! and writes nothing when one is invalid. Files are edited in place with
//! `toml_edit`, so comments and keys the screen does not show are kept.
//!
//! Save leaves a file that cannot be used as it is, and the section shows
//! the file's error with its line and column. Only the "Replace file"
//! button writes a new file, after renaming the old one to
//! `NAME.broken-TIME` beside it.

mod alerts_form;
pub mod files;
mod time_zone;
mod view;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::Utc;
use iced::Element;
use kefu_core::Store;
use kefu_core::alerts::{AlertSettings, Tier, config::FILE_NAME as ALERTS_FILE};
use kefu_core::desk::Desk;
use kefu_core::routing::{AgentChanges, NewAgent, normalize_display_name};

use crate::labels::settings as labels;
pub use crate::labels::{Label, ResultLine};
use crate::language::SETTINGS_FILE;
pub use alerts_form::{AlertsForm, Field, Scope, Switch};
pub use files::{FileError, LanguageChoice, ThemeChoice, UiSettings};

/// Events of the settings screen.
#[derive(Debug, Clone)]
pub enum Message {
    ThemeSelected(ThemeChoice),
    LanguageSelected(LanguageChoice),
    SaveAppearance,
    /// Rename the broken `ui.toml` aside and save a new one.
    ReplaceUiFile,
    SwitchToggled(Tier, Switch, bool),
    FieldEdited(Field, String),
    QuietHoursToggled(bool),
    ScopeSelected(Scope),
    /// A priority was turned on or off as important.
    ImportantToggled(String, bool),
    SaveAlerts,
    /// Rename the broken `alerts.toml` aside and save a new one.
    ReplaceAlertsFile,
    TimeZoneEdited(String),
    SaveTimeZone,
    DisplayNameEdited(String),
    AvailableToggled(bool),
    SaveProfile,
}

/// Settings the rest of the app applies after a save.
#[derive(Debug, Clone)]
pub enum Event {
    /// `ui.toml` was saved with this theme and language.
    AppearanceSaved(UiSettings),
    /// `alerts.toml` was saved, and the core's parser read these settings
    /// back for the agent.
    AlertsSaved(Box<AlertSettings>),
}

/// The agent's profile: the fields of the agent's record in the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub display_name: String,
    /// Routing assigns new tickets only to available agents.
    pub available: bool,
    /// False when the database has no agent of this name yet. Saving then
    /// adds one.
    pub exists: bool,
}

/// State of the settings screen.
pub struct SettingsScreen {
    /// Folder of `ui.toml` and `alerts.toml`; `None` when the app started
    /// without one, and then nothing can be saved.
    config_folder: Option<PathBuf>,
    /// The agent running the app, whose `[agent.NAME]` table and database
    /// record the screen edits.
    agent: String,
    desk: Arc<Desk>,
    ui_saved: UiSettings,
    ui_form: UiSettings,
    ui_error: Option<FileError>,
    ui_result: Option<ResultLine>,
    /// The alert settings in force for the agent, as last read.
    alerts_saved: AlertSettings,
    alerts_form: AlertsForm,
    alerts_error: Option<FileError>,
    /// True when `alerts.toml` has an `[agent.NAME]` table for the agent.
    agent_table: bool,
    scope: Scope,
    field_errors: Vec<(Field, Label)>,
    alerts_result: Option<ResultLine>,
    /// The time zone of `sla.toml` as last read, or `None` when the file
    /// cannot be used.
    time_zone_saved: Option<chrono_tz::Tz>,
    time_zone_form: String,
    /// Error of an `sla.toml` that cannot be used, from the core's parser.
    sla_error: Option<String>,
    time_zone_error: Option<Label>,
    time_zone_result: Option<ResultLine>,
    profile_saved: Option<Profile>,
    profile_form: Profile,
    display_name_error: Option<Label>,
    profile_result: Option<ResultLine>,
}

impl SettingsScreen {
    pub fn new(config_folder: Option<PathBuf>, agent: String, desk: Arc<Desk>) -> Self {
        let alerts_saved = AlertSettings::builtin(&desk.lifecycle);
        let mut screen = Self {
            config_folder,
            agent,
            alerts_form: AlertsForm::from_settings(&alerts_saved, None),
            alerts_saved,
            desk,
            ui_saved: UiSettings::default(),
            ui_form: UiSettings::default(),
            ui_error: None,
            ui_result: None,
            alerts_error: None,
            agent_table: false,
            scope: Scope::Everyone,
            field_errors: Vec::new(),
            alerts_result: None,
            time_zone_saved: None,
            time_zone_form: String::new(),
            sla_error: None,
            time_zone_error: None,
            time_zone_result: None,
            profile_saved: None,
            profile_form: Profile {
                display_name: String::new(),
                available: true,
                exists: false,
            },
            display_name_error: None,
            profile_result: None,
        };
        screen.read_files();
        screen
    }

    /// Sets the agent whose alert table and profile the screen edits.
    pub fn set_agent(&mut self, agent: String) {
        self.agent = agent;
        self.read_files();
    }

    /// Reads the files and the profile again, dropping unsaved changes, so
    /// each visit shows the settings as they are now.
    pub fn reload(&mut self, store: Option<&Store>) {
        self.read_files();
        self.read_profile(store);
        self.ui_result = None;
        self.alerts_result = None;
        self.time_zone_result = None;
        self.profile_result = None;
    }

    fn read_files(&mut self) {
        self.read_ui_settings();
        self.read_alert_settings();
        self.read_time_zone();
    }

    fn read_time_zone(&mut self) {
        self.time_zone_error = None;
        match time_zone::read(self.config_folder.as_deref()) {
            Ok(zone) => {
                self.time_zone_saved = Some(zone);
                self.time_zone_form = zone.name().to_string();
                self.sla_error = None;
            }
            Err(error) => {
                self.time_zone_saved = None;
                self.time_zone_form = String::new();
                self.sla_error = Some(error);
            }
        }
    }

    fn read_ui_settings(&mut self) {
        let read = match &self.config_folder {
            Some(folder) => files::read_ui_settings(folder),
            None => Ok(UiSettings::default()),
        };
        match read {
            Ok(settings) => {
                self.ui_saved = settings.clone();
                self.ui_form = settings;
                self.ui_error = None;
            }
            Err(error) => {
                self.ui_saved = UiSettings::default();
                self.ui_form = UiSettings::default();
                self.ui_error = Some(error);
            }
        }
    }

    fn read_alert_settings(&mut self) {
        let builtin = AlertSettings::builtin(&self.desk.lifecycle);
        self.field_errors.clear();
        self.agent_table = false;
        self.alerts_error = None;
        self.alerts_saved = builtin.clone();
        if let Some(folder) = &self.config_folder {
            match AlertSettings::load(folder, &self.agent, &self.desk.lifecycle) {
                Ok(settings) => {
                    self.agent_table = settings.agent.as_deref() == Some(self.agent.as_str());
                    self.alerts_saved = settings;
                }
                Err(error) => {
                    self.alerts_error = Some(FileError {
                        path: folder.join(ALERTS_FILE),
                        line: error.line,
                        column: error.column,
                        reason: error.message,
                    });
                }
            }
        }
        self.scope = if self.agent_table {
            Scope::OnlyMe
        } else {
            Scope::Everyone
        };
        self.alerts_form =
            AlertsForm::from_settings(&self.alerts_saved, self.config_folder.as_deref());
    }

    fn read_profile(&mut self, store: Option<&Store>) {
        self.display_name_error = None;
        let Some(store) = store else {
            self.profile_saved = None;
            return;
        };
        match store.agent(&self.agent) {
            Ok(agent) => {
                let profile = match agent {
                    Some(agent) => Profile {
                        display_name: agent.display_name.unwrap_or_default(),
                        available: agent.available,
                        exists: true,
                    },
                    None => Profile {
                        display_name: String::new(),
                        available: true,
                        exists: false,
                    },
                };
                self.profile_form = profile.clone();
                self.profile_saved = Some(profile);
            }
            Err(error) => {
                tracing::warn!(agent = %self.agent, "reading the agent's profile failed: {error:#}");
                self.profile_saved = None;
                let error = format!("{error:#}");
                self.profile_result = Some(ResultLine::Failed(Label::new(move || {
                    labels::save_failed(&error)
                })));
            }
        }
    }

    pub fn update(&mut self, store: Option<&mut Store>, message: Message) -> Option<Event> {
        match message {
            Message::ThemeSelected(theme) => self.ui_form.theme = theme,
            Message::LanguageSelected(language) => self.ui_form.language = language,
            Message::SaveAppearance => return self.save_ui_settings(false),
            Message::ReplaceUiFile => return self.save_ui_settings(true),
            Message::SwitchToggled(tier, switch, on) => {
                self.alerts_form.set_switch(tier, switch, on)
            }
            Message::FieldEdited(field, value) => {
                self.alerts_form.set_text(field, value);
                self.field_errors.retain(|(marked, _)| *marked != field);
            }
            Message::QuietHoursToggled(on) => self.alerts_form.quiet_enabled = on,
            Message::ScopeSelected(scope) => self.scope = scope,
            Message::ImportantToggled(priority, on) => {
                self.alerts_form
                    .set_important(&self.desk.lifecycle, &priority, on);
            }
            Message::TimeZoneEdited(value) => {
                self.time_zone_form = value;
                self.time_zone_error = None;
            }
            Message::SaveTimeZone => self.save_time_zone(),
            Message::SaveAlerts => return self.save_alert_settings(false),
            Message::ReplaceAlertsFile => return self.save_alert_settings(true),
            Message::DisplayNameEdited(name) => {
                self.profile_form.display_name = name;
                self.display_name_error = None;
            }
            Message::AvailableToggled(available) => self.profile_form.available = available,
            Message::SaveProfile => self.save_profile(store),
        }
        None
    }

    /// Writes the theme and language to `ui.toml`. `replace` renames a
    /// broken file aside first; without it a broken file is left as it is.
    fn save_ui_settings(&mut self, replace: bool) -> Option<Event> {
        let Some(folder) = self.config_folder.clone() else {
            self.ui_result = Some(ResultLine::Failed(Label::new(labels::no_folder)));
            return None;
        };
        let path = folder.join(SETTINGS_FILE);
        if self.ui_error.is_some() && !replace {
            let line = Label::new(|| labels::file_kept(SETTINGS_FILE));
            self.ui_result = Some(ResultLine::Failed(line));
            return None;
        }
        let result = (|| -> anyhow::Result<Option<PathBuf>> {
            let (text, before) = if replace {
                (None, UiSettings::default())
            } else {
                let text = files::read_text(&path).map_err(anyhow_from)?;
                (text, self.ui_saved.clone())
            };
            let written = files::ui_settings_text(&path, text.as_deref(), &before, &self.ui_form)
                .map_err(anyhow_from)?;
            let backup = replace_file(&path, replace)?;
            files::write(&path, &written)?;
            Ok(backup)
        })();
        match result {
            Ok(backup) => {
                tracing::info!(path = %path.display(), theme = self.ui_form.theme.key(), language = self.ui_form.language.key(), "saved the UI settings");
                self.read_ui_settings();
                let line = match backup {
                    Some(backup) => Label::new(move || labels::replaced(&backup, &path)),
                    None => Label::new(move || labels::appearance_saved(&path)),
                };
                self.ui_result = Some(ResultLine::Done(line));
                Some(Event::AppearanceSaved(self.ui_saved.clone()))
            }
            Err(error) => {
                let error = format!("{error:#}");
                tracing::error!(path = %path.display(), %error, "saving the UI settings failed");
                self.ui_result = Some(ResultLine::Failed(Label::new(move || {
                    labels::save_failed(&error)
                })));
                None
            }
        }
    }

    /// Checks the alert fields and writes the changed ones to
    /// `alerts.toml`, at the chosen scope. The new text must pass the
    /// core's parser before it is written, and the file is read back with
    /// it afterwards.
    fn save_alert_settings(&mut self, replace: bool) -> Option<Event> {
        let Some(folder) = self.config_folder.clone() else {
            self.alerts_result = Some(ResultLine::Failed(Label::new(labels::no_folder)));
            return None;
        };
        let checked = match self.alerts_form.check(&folder) {
            Ok(checked) => checked,
            Err(errors) => {
                self.field_errors = errors;
                self.alerts_result = Some(ResultLine::Failed(Label::new(labels::not_saved)));
                return None;
            }
        };
        self.field_errors.clear();
        if self.alerts_error.is_some() && !replace {
            let line = Label::new(|| labels::file_kept(ALERTS_FILE));
            self.alerts_result = Some(ResultLine::Failed(line));
            return None;
        }
        let path = folder.join(ALERTS_FILE);
        let lifecycle = &self.desk.lifecycle;
        let result = (|| -> anyhow::Result<(AlertSettings, Option<PathBuf>)> {
            let (text, before) = if replace {
                (None, AlertSettings::builtin(lifecycle))
            } else {
                let text = files::read_text(&path).map_err(anyhow_from)?;
                (text, self.alerts_saved.clone())
            };
            let mut document = files::edit(&path, text.as_deref()).map_err(anyhow_from)?;
            checked.edit(&mut document, &before, self.scope, &self.agent)?;
            let written = document.to_string();
            // Nothing is written that the app would reject when it starts.
            AlertSettings::parse(&written, &path, &folder, &self.agent, lifecycle)?;
            let backup = replace_file(&path, replace)?;
            files::write(&path, &written)?;
            let read_back = AlertSettings::load(&folder, &self.agent, lifecycle)?;
            Ok((read_back, backup))
        })();
        match result {
            Ok((read_back, backup)) => {
                tracing::info!(path = %path.display(), agent = %self.agent, scope = ?self.scope, "saved the alert settings");
                let overridden = checked.applied_to(&read_back) != read_back;
                let scope = self.scope;
                self.read_alert_settings();
                self.scope = scope;
                let agent = self.agent.clone();
                let line = match (backup, overridden) {
                    (Some(backup), _) => Label::new(move || labels::replaced(&backup, &path)),
                    (None, true) => Label::new(move || labels::alerts_overridden(&path, &agent)),
                    (None, false) => Label::new(move || labels::alerts_saved(&path)),
                };
                self.alerts_result = Some(ResultLine::Done(line));
                Some(Event::AlertsSaved(Box::new(read_back)))
            }
            Err(error) => {
                let error = format!("{error:#}");
                tracing::error!(path = %path.display(), %error, "saving the alert settings failed");
                self.alerts_result = Some(ResultLine::Failed(Label::new(move || {
                    labels::save_failed(&error)
                })));
                None
            }
        }
    }

    /// Checks the typed time zone and writes it to `sla.toml`, starting
    /// from the built-in file when there is none. A file the core cannot
    /// use is left as it is.
    // NOTE: the app reads sla.toml once when the window opens, so reports
    // and deadlines use the new zone after a restart, as the saved line
    // states.
    fn save_time_zone(&mut self) {
        let Some(folder) = self.config_folder.clone() else {
            self.time_zone_result = Some(ResultLine::Failed(Label::new(labels::no_folder)));
            return;
        };
        if let Some(error) = &self.sla_error {
            let error = error.clone();
            let line = Label::new(move || labels::sla_file_kept(&error));
            self.time_zone_result = Some(ResultLine::Failed(line));
            return;
        }
        let zone = match time_zone::check(&self.time_zone_form) {
            Ok(zone) => zone,
            Err(error) => {
                self.time_zone_error = Some(error);
                self.time_zone_result = Some(ResultLine::Failed(Label::new(labels::not_saved)));
                return;
            }
        };
        let path = folder.join(kefu_core::sla::FILE_NAME);
        let result = (|| -> anyhow::Result<chrono_tz::Tz> {
            let text = files::read_text(&path).map_err(anyhow_from)?;
            if text.is_some() && self.time_zone_saved == Some(zone) {
                return Ok(zone);
            }
            let written = time_zone::sla_text(&path, text.as_deref(), zone)?;
            files::write(&path, &written)?;
            time_zone::read(Some(&folder)).map_err(|error| anyhow::anyhow!(error))
        })();
        match result {
            Ok(read_back) => {
                tracing::info!(path = %path.display(), time_zone = read_back.name(), "saved the time zone");
                self.read_time_zone();
                let line = Label::new(move || labels::time_zone_saved(read_back.name(), &path));
                self.time_zone_result = Some(ResultLine::Done(line));
            }
            Err(error) => {
                let error = format!("{error:#}");
                tracing::error!(path = %path.display(), %error, "saving the time zone failed");
                self.time_zone_result = Some(ResultLine::Failed(Label::new(move || {
                    labels::save_failed(&error)
                })));
            }
        }
    }

    /// Writes the display name and availability to the agent's record,
    /// adding the agent when the database has none of that name.
    fn save_profile(&mut self, store: Option<&mut Store>) {
        let display_name = match normalize_display_name(&self.profile_form.display_name) {
            Ok(display_name) => display_name,
            Err(error) => {
                let error = error.to_string();
                self.display_name_error =
                    Some(Label::new(move || labels::display_name_invalid(&error)));
                self.profile_result = Some(ResultLine::Failed(Label::new(labels::not_saved)));
                return;
            }
        };
        let Some(store) = store else {
            self.profile_result = Some(ResultLine::Failed(Label::new(labels::no_database)));
            return;
        };
        let exists = self
            .profile_saved
            .as_ref()
            .is_some_and(|saved| saved.exists);
        let changes = AgentChanges {
            display_name: Some(display_name.clone()),
            available: Some(self.profile_form.available),
            ..AgentChanges::default()
        };
        let result = (|| -> anyhow::Result<()> {
            let writer = store.writer()?;
            let now = Utc::now();
            if !exists {
                let agent = NewAgent {
                    name: self.agent.clone(),
                    display_name,
                    ..NewAgent::default()
                };
                writer.add_agent(&agent, now)?;
            }
            writer.update_agent(&self.agent, &changes, now)?;
            writer.commit()
        })();
        match result {
            Ok(()) => {
                tracing::info!(agent = %self.agent, added = !exists, "saved the agent's profile");
                self.read_profile(Some(&*store));
                let agent = self.agent.clone();
                let line = if exists {
                    Label::new(move || labels::profile_saved(&agent))
                } else {
                    Label::new(move || labels::profile_added(&agent))
                };
                self.profile_result = Some(ResultLine::Done(line));
            }
            Err(error) => {
                let error = format!("{error:#}");
                tracing::error!(agent = %self.agent, %error, "saving the agent's profile failed");
                self.profile_result = Some(ResultLine::Failed(Label::new(move || {
                    labels::save_failed(&error)
                })));
            }
        }
    }

    pub fn view(&self) -> Element<'_, Message> {
        view::view(self)
    }

    /// Returns the error of a `ui.toml` that cannot be used, if any.
    pub fn ui_error(&self) -> Option<&FileError> {
        self.ui_error.as_ref()
    }

    /// Returns the error of an `alerts.toml` that cannot be used, if any.
    pub fn alerts_error(&self) -> Option<&FileError> {
        self.alerts_error.as_ref()
    }

    /// Returns the time zone of `sla.toml` as last read, or `None` when the
    /// file cannot be used.
    pub fn time_zone(&self) -> Option<chrono_tz::Tz> {
        self.time_zone_saved
    }

    /// Returns the alert settings in force for the agent, as last read.
    pub fn alert_settings(&self) -> &AlertSettings {
        &self.alerts_saved
    }
}

/// Renames the file at `path` aside when `replace` is set and it exists,
/// and returns its new path.
fn replace_file(path: &Path, replace: bool) -> anyhow::Result<Option<PathBuf>> {
    if replace && path.exists() {
        files::move_aside(path).map(Some)
    } else {
        Ok(None)
    }
}

fn anyhow_from(error: FileError) -> anyhow::Error {
    anyhow::anyhow!("{error}")
}

/// Widget ids of the settings screen.
pub mod ids {
    use iced::widget::Id;

    use super::Field;

    /// Returns the id of an alert setting's text field.
    pub fn field(field: Field) -> Id {
        Id::from(match field {
            Field::GroupWindow => "settings-group-window",
            Field::ReminderAfter => "settings-reminder-after",
            Field::SlaWarningBefore => "settings-sla-warning-before",
            Field::QuietStart => "settings-quiet-start",
            Field::QuietEnd => "settings-quiet-end",
            Field::SoundFile => "settings-sound-file",
        })
    }

    pub fn time_zone() -> Id {
        Id::from("settings-time-zone")
    }

    pub fn save_time_zone() -> Id {
        Id::from("settings-save-time-zone")
    }

    /// Returns the id of the container around the important toggle of a
    /// priority id.
    pub fn important(priority: &str) -> Id {
        Id::from(format!("settings-important-{priority}"))
    }

    pub fn display_name() -> Id {
        Id::from("settings-display-name")
    }

    /// Returns the id of the container around the appearance section's
    /// Save button.
    pub fn save_appearance() -> Id {
        Id::from("settings-save-appearance")
    }

    pub fn save_alerts() -> Id {
        Id::from("settings-save-alerts")
    }

    pub fn save_profile() -> Id {
        Id::from("settings-save-profile")
    }

    /// Returns the id of the container around the Replace file button of
    /// `ui.toml`.
    pub fn replace_ui_file() -> Id {
        Id::from("settings-replace-ui-file")
    }

    pub fn replace_alerts_file() -> Id {
        Id::from("settings-replace-alerts-file")
    }
}
