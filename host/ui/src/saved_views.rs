//! The form that saves the to-do screen's filters as a named view, and
//! renames, re-saves and deletes the saved views listed above the
//! conversation list. It shows as a dialog over the window.
//!
//! The form checks the name before it writes. An empty name, a name longer
//! than [`MAX_VIEW_NAME_CHARS`] or a name another view has already shows a
//! line in the form, and nothing is written.

use iced::widget::{button, column, container, row, text, text_input};
use iced::{Alignment, Element};
use kefu_core::Store;
use kefu_core::todo::{MAX_VIEW_NAME_CHARS, TodoQuery};

use crate::labels::Label;
use crate::labels::saved_views as labels;
use crate::style;

/// Width of the form in logical pixels.
const WIDTH: f32 = 420.0;

/// Action of the form.
#[derive(Debug, Clone, PartialEq)]
enum Mode {
    /// Save `query`, the to-do screen's filters, under a new name.
    /// `overdue` is true when the Overdue filter was on, and then nothing
    /// can be saved.
    Save {
        query: Box<TodoQuery>,
        overdue: bool,
    },
    /// Rename the saved view `name`, replace its filters or delete it.
    Edit { name: String },
    /// Ask before deleting the saved view `name`.
    ConfirmDelete { name: String },
}

/// Events of the form.
#[derive(Debug, Clone)]
pub enum Message {
    NameEdited(String),
    /// Save a new view, or rename the edited one.
    SubmitPressed,
    /// Save over the view that has the typed name already.
    OverwritePressed,
    /// Replace the edited view's filters with the to-do screen's.
    ReplaceFilterPressed,
    DeletePressed,
    ConfirmDeletePressed,
    CancelPressed,
}

/// Change the form wrote, for the workbench to report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    Saved(String),
    Renamed {
        from: String,
        to: String,
    },
    /// The edited view's filters were replaced.
    FilterReplaced(String),
    Deleted(String),
    Closed,
}

/// The to-do screen's filters when the form acts on them. `overdue` is true
/// when the Overdue filter is on, which compares with the time of the read
/// and so cannot be saved.
#[derive(Debug, Clone, Copy)]
pub struct CurrentFilters<'a> {
    pub query: &'a TodoQuery,
    pub overdue: bool,
}

/// State of the form.
#[derive(Debug, Clone)]
pub struct ViewForm {
    mode: Mode,
    name: String,
    /// The line under the name field after a rejected name or a failed
    /// write.
    error: Option<Label>,
    /// True after a save was rejected because the name is taken, so the
    /// form offers to overwrite that view.
    offer_overwrite: bool,
}

impl ViewForm {
    /// Opens the form to save `filters` as a new view. With the Overdue
    /// filter on, the form opens with the line that explains why it
    /// cannot save.
    pub fn save(filters: CurrentFilters<'_>) -> Self {
        let mut form = Self {
            mode: Mode::Save {
                query: Box::new(filters.query.clone()),
                overdue: filters.overdue,
            },
            name: String::new(),
            error: None,
            offer_overwrite: false,
        };
        if filters.overdue {
            form.error = Some(Label::new(labels::overdue_not_saved));
        }
        form
    }

    /// Opens the form on the saved view `name`.
    pub fn edit(name: String) -> Self {
        Self {
            mode: Mode::Edit { name: name.clone() },
            name,
            error: None,
            offer_overwrite: false,
        }
    }

    /// Returns the line shown under the name field, if any.
    pub fn error(&self) -> Option<String> {
        self.error.as_ref().map(Label::text)
    }

    /// Handles a message. Writes go to `store`; `current` is the to-do
    /// screen's filters, for Replace filters. Returns what was written, or
    /// [`Event::Closed`] on Cancel.
    pub fn update(
        &mut self,
        store: Option<&mut Store>,
        current: CurrentFilters<'_>,
        message: Message,
    ) -> Option<Event> {
        match message {
            Message::NameEdited(name) => {
                self.name = name;
                if !matches!(self.mode, Mode::Save { overdue: true, .. }) {
                    self.error = None;
                }
                self.offer_overwrite = false;
                None
            }
            Message::CancelPressed => match &self.mode {
                Mode::ConfirmDelete { name } => {
                    self.mode = Mode::Edit { name: name.clone() };
                    None
                }
                _ => Some(Event::Closed),
            },
            Message::DeletePressed => {
                if let Mode::Edit { name } = &self.mode {
                    self.mode = Mode::ConfirmDelete { name: name.clone() };
                    self.error = None;
                }
                None
            }
            message => {
                let Some(store) = store else {
                    self.error = Some(Label::new(labels::no_database));
                    return None;
                };
                let result = self.write(store, current, message);
                match result {
                    Ok(event) => event,
                    Err(error) => {
                        let error = format!("{error:#}");
                        tracing::error!(%error, "writing a saved view failed");
                        self.error = Some(Label::new(move || labels::write_failed(&error)));
                        None
                    }
                }
            }
        }
    }

    /// Performs the write of `message`. A rejected name sets the error line
    /// and returns `Ok(None)`.
    fn write(
        &mut self,
        store: &mut Store,
        current: CurrentFilters<'_>,
        message: Message,
    ) -> anyhow::Result<Option<Event>> {
        match (&self.mode, message) {
            (Mode::Save { overdue: true, .. }, _) => {
                self.error = Some(Label::new(labels::overdue_not_saved));
                Ok(None)
            }
            (
                Mode::Save { query, .. },
                message @ (Message::SubmitPressed | Message::OverwritePressed),
            ) => {
                let query = query.as_ref().clone();
                let overwrite = matches!(message, Message::OverwritePressed);
                let Some(name) = self.checked_name(store, None, overwrite)? else {
                    return Ok(None);
                };
                store.save_view(&name, &query)?;
                tracing::info!(view = %name, overwrite, "saved a to-do view");
                Ok(Some(Event::Saved(name)))
            }
            (Mode::Edit { name: old }, Message::SubmitPressed) => {
                let old = old.clone();
                let Some(name) = self.checked_name(store, Some(&old), false)? else {
                    return Ok(None);
                };
                if name == old {
                    return Ok(Some(Event::Closed));
                }
                store.rename_view(&old, &name)?;
                tracing::info!(from = %old, to = %name, "renamed a saved view");
                Ok(Some(Event::Renamed {
                    from: old,
                    to: name,
                }))
            }
            (Mode::Edit { name }, Message::ReplaceFilterPressed) => {
                let name = name.clone();
                if current.overdue {
                    self.error = Some(Label::new(labels::overdue_not_saved));
                    return Ok(None);
                }
                if !store.views()?.iter().any(|(saved, _)| *saved == name) {
                    self.error = Some(Label::new(move || labels::view_gone(&name)));
                    return Ok(None);
                }
                store.save_view(&name, current.query)?;
                tracing::info!(view = %name, "replaced a saved view's filters");
                Ok(Some(Event::FilterReplaced(name)))
            }
            (Mode::ConfirmDelete { name }, Message::ConfirmDeletePressed) => {
                let name = name.clone();
                if !store.remove_view(&name)? {
                    self.error = Some(Label::new(move || labels::view_gone(&name)));
                    return Ok(None);
                }
                tracing::info!(view = %name, "deleted a saved view");
                Ok(Some(Event::Deleted(name)))
            }
            _ => Ok(None),
        }
    }

    /// Checks the typed name and returns it without surrounding spaces, or
    /// sets the error line and returns `None`. `editing` is the edited
    /// view's own name, which the name may keep. With `overwrite`, a name
    /// another view has is accepted.
    fn checked_name(
        &mut self,
        store: &Store,
        editing: Option<&str>,
        overwrite: bool,
    ) -> anyhow::Result<Option<String>> {
        let name = self.name.trim();
        let length = name.chars().count();
        let error = if name.is_empty() {
            Some(Label::new(labels::name_empty))
        } else if length > MAX_VIEW_NAME_CHARS {
            Some(Label::new(move || {
                labels::name_too_long(length, MAX_VIEW_NAME_CHARS)
            }))
        } else if !overwrite
            && editing != Some(name)
            && store.views()?.iter().any(|(saved, _)| saved == name)
        {
            self.offer_overwrite = editing.is_none();
            let taken_name = name.to_string();
            Some(if editing.is_none() {
                Label::new(move || labels::name_taken_overwrite(&taken_name))
            } else {
                Label::new(move || labels::name_taken(&taken_name))
            })
        } else {
            None
        };
        match error {
            Some(error) => {
                self.error = Some(error);
                Ok(None)
            }
            None => Ok(Some(name.to_string())),
        }
    }

    pub fn view(&self) -> Element<'_, Message> {
        let mut form = column![].spacing(10).padding(16).width(WIDTH);
        match &self.mode {
            Mode::Save { .. } | Mode::Edit { .. } => {
                let (title, submit) = match &self.mode {
                    Mode::Save { .. } => (labels::save_title().to_string(), labels::save()),
                    _ => (labels::edit_title(&self.original_name()), labels::rename()),
                };
                form = form.push(text(title).size(16)).push(
                    text_input(labels::name_placeholder(), &self.name)
                        .id(ids::name())
                        .on_input(Message::NameEdited)
                        .on_submit(Message::SubmitPressed)
                        .padding(6)
                        .size(13),
                );
                if let Some(error) = &self.error {
                    form = form.push(error_line(error.text()));
                }
                let mut buttons = row![
                    container(button(text(submit).size(13)).on_press(Message::SubmitPressed))
                        .id(ids::submit())
                ]
                .spacing(8)
                .align_y(Alignment::Center);
                if self.offer_overwrite {
                    buttons = buttons.push(
                        container(
                            button(text(labels::overwrite()).size(13))
                                .style(button::danger)
                                .on_press(Message::OverwritePressed),
                        )
                        .id(ids::overwrite()),
                    );
                }
                if matches!(self.mode, Mode::Edit { .. }) {
                    buttons = buttons
                        .push(
                            container(
                                button(text(labels::replace_filter()).size(13))
                                    .style(button::secondary)
                                    .on_press(Message::ReplaceFilterPressed),
                            )
                            .id(ids::replace_filter()),
                        )
                        .push(
                            container(
                                button(text(labels::delete()).size(13))
                                    .style(button::danger)
                                    .on_press(Message::DeletePressed),
                            )
                            .id(ids::delete()),
                        );
                }
                buttons = buttons.push(
                    button(text(labels::cancel()).size(13))
                        .style(button::secondary)
                        .on_press(Message::CancelPressed),
                );
                form = form.push(buttons.wrap());
                if matches!(self.mode, Mode::Edit { .. }) {
                    form = form.push(
                        text(labels::replace_filter_hint())
                            .size(12)
                            .style(text::secondary),
                    );
                }
            }
            Mode::ConfirmDelete { name } => {
                form = form.push(text(labels::confirm_delete(name)).size(14));
                if let Some(error) = &self.error {
                    form = form.push(error_line(error.text()));
                }
                form = form.push(
                    row![
                        container(
                            button(text(labels::delete()).size(13))
                                .style(button::danger)
                                .on_press(Message::ConfirmDeletePressed),
                        )
                        .id(ids::confirm_delete()),
                        button(text(labels::cancel()).size(13))
                            .style(button::secondary)
                            .on_press(Message::CancelPressed),
                    ]
                    .spacing(8),
                );
            }
        }
        form.into()
    }

    /// Returns the name of the edited view, or the typed name when saving.
    fn original_name(&self) -> String {
        match &self.mode {
            Mode::Edit { name } | Mode::ConfirmDelete { name } => name.clone(),
            Mode::Save { .. } => self.name.clone(),
        }
    }
}

fn error_line<'a>(line: String) -> Element<'a, Message> {
    container(text(line).size(13))
        .id(ids::error())
        .padding([4, 8])
        .style(style::error_line)
        .into()
}

/// Widget ids of the form.
pub mod ids {
    use iced::widget::Id;

    pub fn name() -> Id {
        Id::from("saved-view-name")
    }

    /// Returns the id of the container around Save or Rename.
    pub fn submit() -> Id {
        Id::from("saved-view-submit")
    }

    /// Returns the id of the container around the button that saves over
    /// a view of the same name.
    pub fn overwrite() -> Id {
        Id::from("saved-view-overwrite")
    }

    pub fn replace_filter() -> Id {
        Id::from("saved-view-replace-filter")
    }

    /// Returns the id of the container around Delete, which opens the
    /// confirmation.
    pub fn delete() -> Id {
        Id::from("saved-view-delete")
    }

    /// Returns the id of the container around the Delete button that
    /// confirms.
    pub fn confirm_delete() -> Id {
        Id::from("saved-view-confirm-delete")
    }

    /// Returns the id of the container around the error line.
    pub fn error() -> Id {
        Id::from("saved-view-error")
    }
}
