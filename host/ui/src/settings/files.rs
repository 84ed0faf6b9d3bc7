//! Reading and writing the files the settings screen owns: `ui.toml` (theme
//! and language) and `alerts.toml`. Writes go through `toml_edit`, which
//! changes only the keys it sets, so comments, blank lines, key order and
//! keys the screen does not show stay as they were.

use std::fmt;
use std::path::{Path, PathBuf};

use anyhow::Context;
use chrono::Local;
use kefu_core::alerts::config::line_and_column;
use serde::Deserialize;
use toml::Spanned;
use toml_edit::{DocumentMut, Item, Table, TableLike, Value};

use crate::language::{Language, SETTINGS_FILE};

/// The theme setting of `ui.toml`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ThemeChoice {
    /// Follows the system's light or dark mode, as iced detects it.
    #[default]
    System,
    Light,
    Dark,
}

impl ThemeChoice {
    pub const ALL: [ThemeChoice; 3] = [ThemeChoice::System, ThemeChoice::Light, ThemeChoice::Dark];

    /// Returns the value that names the theme in `ui.toml`.
    pub fn key(self) -> &'static str {
        match self {
            ThemeChoice::System => "system",
            ThemeChoice::Light => "light",
            ThemeChoice::Dark => "dark",
        }
    }

    fn from_key(key: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|choice| choice.key().eq_ignore_ascii_case(key.trim()))
    }

    /// Returns the iced theme, or `None` for the system's choice.
    pub fn theme(self) -> Option<iced::Theme> {
        match self {
            ThemeChoice::System => None,
            ThemeChoice::Light => Some(iced::Theme::Light),
            ThemeChoice::Dark => Some(iced::Theme::Dark),
        }
    }
}

/// The language setting of `ui.toml`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LanguageChoice {
    /// Follows the locale of the system.
    #[default]
    System,
    Fixed(Language),
}

impl LanguageChoice {
    pub const ALL: [LanguageChoice; 3] = [
        LanguageChoice::System,
        LanguageChoice::Fixed(Language::English),
        LanguageChoice::Fixed(Language::SimplifiedChinese),
    ];

    /// Returns the value that names the language in `ui.toml`.
    pub fn key(self) -> &'static str {
        match self {
            LanguageChoice::System => "system",
            LanguageChoice::Fixed(language) => language.tag(),
        }
    }

    fn from_key(key: &str) -> Option<Self> {
        if key.trim().eq_ignore_ascii_case("system") {
            return Some(LanguageChoice::System);
        }
        Language::from_tag(key).map(LanguageChoice::Fixed)
    }
}

/// A settings file that cannot be used, with the place of the problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileError {
    pub path: PathBuf,
    /// Line of the problem, counted from 1. `None` when the file could not
    /// be read at all.
    pub line: Option<usize>,
    /// Column of the problem, in characters from 1.
    pub column: Option<usize>,
    pub reason: String,
}

impl FileError {
    fn at(path: &Path, text: &str, offset: Option<usize>, reason: String) -> Self {
        let place = offset.map(|offset| line_and_column(text, offset));
        Self {
            path: path.to_path_buf(),
            line: place.map(|(line, _)| line),
            column: place.map(|(_, column)| column),
            reason,
        }
    }
}

impl fmt::Display for FileError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{}", self.path.display())?;
        match (self.line, self.column) {
            (Some(line), Some(column)) => write!(formatter, ": line {line}, column {column}")?,
            (Some(line), None) => write!(formatter, ": line {line}")?,
            _ => {}
        }
        write!(formatter, ": {}", self.reason)
    }
}

/// The settings of `ui.toml` as the screen shows them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UiSettings {
    pub theme: ThemeChoice,
    pub language: LanguageChoice,
}

/// `ui.toml` with the spans of its values, for errors that name the line.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawUiSettings {
    language: Option<Spanned<String>>,
    theme: Option<Spanned<String>>,
}

/// Reads `ui.toml` in `folder`. A missing file or key gives the system's
/// theme and language. A file that cannot be read or parsed, or that names
/// an unknown theme or language, returns an error with its line and
/// column.
pub fn read_ui_settings(folder: &Path) -> Result<UiSettings, FileError> {
    let path = folder.join(SETTINGS_FILE);
    let Some(text) = read_text(&path)? else {
        return Ok(UiSettings::default());
    };
    parse_ui_settings(&path, &text)
}

fn parse_ui_settings(path: &Path, text: &str) -> Result<UiSettings, FileError> {
    let raw: RawUiSettings = toml::from_str(text).map_err(|error| {
        let offset = error.span().map(|span| span.start);
        FileError::at(path, text, offset, error.message().trim_end().to_string())
    })?;
    let mut settings = UiSettings::default();
    if let Some(theme) = &raw.theme {
        settings.theme = ThemeChoice::from_key(theme.get_ref()).ok_or_else(|| {
            let reason = format!(
                "theme = {:?} is not a theme; use \"light\", \"dark\" or \"system\"",
                theme.get_ref()
            );
            FileError::at(path, text, Some(theme.span().start), reason)
        })?;
    }
    if let Some(language) = &raw.language {
        settings.language = LanguageChoice::from_key(language.get_ref()).ok_or_else(|| {
            let reason = format!(
                "language = {:?} is not a language of Kefu; use \"en\", \"zh-CN\" or \"system\"",
                language.get_ref()
            );
            FileError::at(path, text, Some(language.span().start), reason)
        })?;
    }
    Ok(settings)
}

/// Returns the text of the file at `path`, or `None` when it does not
/// exist.
pub fn read_text(path: &Path) -> Result<Option<String>, FileError> {
    match kefu_core::desk::read_config(path) {
        Ok(text) => Ok(Some(text)),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(FileError {
            path: path.to_path_buf(),
            line: None,
            column: None,
            reason: error.to_string(),
        }),
    }
}

/// Parses `text` for editing, or returns an empty document for a file
/// that does not exist yet.
pub fn edit(path: &Path, text: Option<&str>) -> Result<DocumentMut, FileError> {
    let Some(text) = text else {
        return Ok(DocumentMut::new());
    };
    text.parse::<DocumentMut>().map_err(|error| {
        let offset = error.span().map(|span| span.start);
        FileError::at(path, text, offset, error.message().trim_end().to_string())
    })
}

/// Returns the text of `ui.toml` with `theme` and `language` set, changing
/// only the keys whose value differs from `before`.
pub fn ui_settings_text(
    path: &Path,
    text: Option<&str>,
    before: &UiSettings,
    after: &UiSettings,
) -> Result<String, FileError> {
    let mut document = edit(path, text)?;
    let table = document.as_table_mut();
    if before.theme != after.theme || !table.contains_key("theme") {
        set_value(table, "theme", after.theme.key().into());
    }
    if before.language != after.language || !table.contains_key("language") {
        set_value(table, "language", after.language.key().into());
    }
    Ok(document.to_string())
}

/// Sets `key` to `value` in `table`. An existing key keeps the comments
/// above it and beside its value.
pub fn set_value(table: &mut dyn TableLike, key: &str, mut value: Value) {
    match table.get_mut(key) {
        Some(existing) => {
            if let Some(old) = existing.as_value() {
                *value.decor_mut() = old.decor().clone();
            }
            *existing = Item::Value(value);
        }
        None => {
            table.insert(key, Item::Value(value));
        }
    }
}

/// Returns the table `key` inside `table`, creating it when missing. A
/// created table prints as a `[header]` when `implicit` is false, and only
/// through its sub-tables when true.
pub fn table_in<'a>(
    table: &'a mut dyn TableLike,
    key: &str,
    implicit: bool,
) -> anyhow::Result<&'a mut dyn TableLike> {
    if table.get(key).is_none() {
        let mut created = Table::new();
        created.set_implicit(implicit);
        table.insert(key, Item::Table(created));
    }
    table
        .get_mut(key)
        .and_then(Item::as_table_like_mut)
        .with_context(|| format!("{key} is a value, not a table; remove it or make it a table"))
}

/// Writes `text` to `path` through a temporary file beside it, creating
/// the folder when missing.
pub fn write(path: &Path, text: &str) -> anyhow::Result<()> {
    if let Some(folder) = path.parent() {
        std::fs::create_dir_all(folder)
            .with_context(|| format!("creating the folder {}", folder.display()))?;
    }
    crate::saved_state::write(path, text.as_bytes())
}

/// Renames the file at `path` to `NAME.broken-TIME` beside it, so a new
/// file can take its place without losing its text, and returns the new
/// path.
pub fn move_aside(path: &Path) -> anyhow::Result<PathBuf> {
    let mut name = path.as_os_str().to_os_string();
    name.push(format!(".broken-{}", Local::now().format("%Y%m%d-%H%M%S")));
    let backup = PathBuf::from(name);
    std::fs::rename(path, &backup)
        .with_context(|| format!("renaming {} to {}", path.display(), backup.display()))?;
    tracing::info!(from = %path.display(), to = %backup.display(), "moved a broken settings file aside");
    Ok(backup)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ui_settings_keep_comments_and_order() {
        let text = "# Interface settings.\nlanguage = \"en\" # the team's language\n";
        let path = Path::new("/config/ui.toml");
        let before = parse_ui_settings(path, text).expect("a valid file");
        let after = UiSettings {
            theme: ThemeChoice::Dark,
            language: LanguageChoice::Fixed(Language::SimplifiedChinese),
        };
        let written = ui_settings_text(path, Some(text), &before, &after).expect("edit the file");
        assert_eq!(
            written,
            "# Interface settings.\nlanguage = \"zh-CN\" # the team's language\ntheme = \"dark\"\n"
        );
        assert_eq!(parse_ui_settings(path, &written), Ok(after));
    }

    #[test]
    fn ui_settings_error_names_line_and_column() {
        let path = Path::new("/config/ui.toml");
        let error = parse_ui_settings(path, "language = \"en\"\ntheme = \"pink\"\n")
            .expect_err("an unknown theme");
        assert_eq!(error.line, Some(2));
        assert_eq!(error.column, Some(9));
        assert!(error.reason.contains("\"pink\""), "{error}");

        let error = parse_ui_settings(path, "language = \"en\"\ntheme = dark\n")
            .expect_err("a value without quotes");
        assert_eq!(error.line, Some(2));
        assert!(error.column.is_some(), "{error}");
        assert!(
            error
                .to_string()
                .starts_with("/config/ui.toml: line 2, column "),
            "{error}"
        );
    }
}
