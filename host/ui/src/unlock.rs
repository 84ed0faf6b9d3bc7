//! The unlock screen, shown in place of the workbench when the database is
//! encrypted and no passphrase was given at start-up.

use std::path::{Path, PathBuf};

use iced::widget::{Id, button, center, column, container, text, text_input};
use iced::{Alignment, Element};
use kefu_core::encryption::{self, Passphrase};

use crate::labels;

/// Widget id of the passphrase field.
pub fn passphrase_field_id() -> Id {
    Id::new("unlock-passphrase")
}

/// Widget id of the Unlock button.
pub fn unlock_button_id() -> Id {
    Id::new("unlock-button")
}

/// State of the unlock screen.
pub struct UnlockScreen {
    db_path: PathBuf,
    /// The passphrase typed so far. The field hides it.
    passphrase: String,
    /// Reason the last attempt failed, shown under the field.
    error: Option<String>,
    /// The theme of `ui.toml`; `None` follows the system's light or dark
    /// mode.
    theme: Option<iced::Theme>,
}

/// Events of the unlock screen.
#[derive(Clone)]
pub enum UnlockMessage {
    PassphraseChanged(String),
    /// The Unlock button was pressed, or Enter in the field.
    UnlockPressed,
}

// Hides the typed passphrase, so logging a message never prints it.
impl std::fmt::Debug for UnlockMessage {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::PassphraseChanged(_) => formatter.write_str("PassphraseChanged(hidden)"),
            Self::UnlockPressed => formatter.write_str("UnlockPressed"),
        }
    }
}

impl UnlockScreen {
    /// Creates the screen for the database at `db_path`, in the theme of
    /// the `ui.toml` in `config_folder`. A missing or unusable file gives
    /// the system's theme, and the workbench reports the file's error once
    /// it opens.
    pub fn new(db_path: &Path, config_folder: Option<&Path>) -> Self {
        let theme = config_folder.and_then(|folder| {
            match crate::settings::files::read_ui_settings(folder) {
                Ok(settings) => settings.theme.theme(),
                Err(error) => {
                    tracing::warn!(%error, "theme setting invalid, the unlock screen follows the system's theme");
                    None
                }
            }
        });
        Self {
            db_path: db_path.to_path_buf(),
            passphrase: String::new(),
            error: None,
            theme,
        }
    }

    /// Returns the theme of the screen, or `None` to follow the system's
    /// light or dark mode.
    pub fn theme(&self) -> Option<iced::Theme> {
        self.theme.clone()
    }

    /// Applies `message`, and returns `true` once the typed passphrase
    /// opened the database. The passphrase is then recorded with
    /// [`encryption::unlock`], so every connection the workbench opens to
    /// the database uses it.
    pub fn update(&mut self, message: UnlockMessage) -> bool {
        match message {
            UnlockMessage::PassphraseChanged(passphrase) => {
                self.passphrase = passphrase;
                false
            }
            UnlockMessage::UnlockPressed => match self.try_unlock() {
                Ok(()) => true,
                Err(error) => {
                    tracing::warn!(
                        database = %self.db_path.display(),
                        "unlocking the database failed: {error:#}"
                    );
                    self.error = Some(format!("{error:#}"));
                    self.passphrase.clear();
                    false
                }
            },
        }
    }

    fn try_unlock(&self) -> anyhow::Result<()> {
        let passphrase = Passphrase::new(self.passphrase.as_str())?;
        kefu_core::Store::open_with_passphrase(&self.db_path, Some(&passphrase))?;
        encryption::unlock(&self.db_path, passphrase);
        Ok(())
    }

    /// Returns the reason the last attempt failed, if it did.
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    pub fn view(&self) -> Element<'_, UnlockMessage> {
        let field = text_input(labels::passphrase_hint(), &self.passphrase)
            .id(passphrase_field_id())
            .secure(true)
            .on_input(UnlockMessage::PassphraseChanged)
            .on_submit(UnlockMessage::UnlockPressed)
            .width(420);
        let unlock =
            container(button(text(labels::unlock())).on_press(UnlockMessage::UnlockPressed))
                .id(unlock_button_id());
        let mut content = column![
            text(labels::database_encrypted()).size(20),
            text(self.db_path.display().to_string()),
            field,
            unlock,
        ]
        .spacing(12)
        .align_x(Alignment::Center);
        if let Some(error) = &self.error {
            content = content.push(text(error.as_str()).width(520));
        }
        center(content).into()
    }
}
