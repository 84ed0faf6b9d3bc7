//! The language of the UI: English or Simplified Chinese, chosen at
//! start-up from `ui.toml` in the configuration folder, else from the
//! system locale, else English. The settings screen changes it while the
//! app runs.
//!
//! The words themselves live in the Fluent files under `host/ui/locales`,
//! which `labels` formats in the language set here.

use std::path::Path;

use serde::Deserialize;

use crate::labels::{self, catalog};

/// File name of the UI settings in the configuration folder.
pub const SETTINGS_FILE: &str = "ui.toml";

/// Environment variables that name the locale, in the order POSIX gives
/// them precedence for messages.
pub const LOCALE_VARIABLES: [&str; 3] = ["LC_ALL", "LC_MESSAGES", "LANG"];

/// A language the UI is translated into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Language {
    English,
    SimplifiedChinese,
}

impl Language {
    /// Every language, English first because it is the fallback.
    pub const ALL: [Language; 2] = [Language::English, Language::SimplifiedChinese];

    /// Returns the BCP 47 tag that names the language in `ui.toml` and
    /// the name of its Fluent file.
    pub fn tag(self) -> &'static str {
        match self {
            Language::English => "en",
            Language::SimplifiedChinese => "zh-CN",
        }
    }

    /// Parses a language tag of `ui.toml`: `en` or `zh-CN`, in any case and
    /// with `_` in place of `-`.
    pub fn from_tag(tag: &str) -> Option<Self> {
        let tag = tag.trim().replace('_', "-");
        Self::ALL
            .into_iter()
            .find(|language| language.tag().eq_ignore_ascii_case(&tag))
    }

    /// Maps a POSIX locale such as `zh_CN.UTF-8` to a language: `zh` in
    /// any region gives Simplified Chinese, the only Chinese translation,
    /// and `en` gives English. Returns `None` for other languages and for
    /// `C` and `POSIX`.
    pub fn from_locale(locale: &str) -> Option<Self> {
        let language = locale
            .split(['_', '-', '.', '@'])
            .next()
            .unwrap_or_default();
        if language.eq_ignore_ascii_case("zh") {
            Some(Language::SimplifiedChinese)
        } else if language.eq_ignore_ascii_case("en") {
            Some(Language::English)
        } else {
            None
        }
    }
}

/// Returns the language the labels are formatted in.
pub fn current() -> Language {
    catalog::current()
}

/// Sets the language of every label formatted from now on, in every
/// thread. The app sets it before its window opens and when the settings
/// screen saves a new language. Lines that stay on screen (results,
/// errors, notices) are [`labels::Label`]s formatted when drawn, so they
/// follow the switch. Toasts and desktop notifications already shown keep
/// their language, and error texts from the core stay in English.
pub fn set(language: Language) {
    catalog::set(language);
}

/// The language chosen at start-up and the error line of a setting that
/// could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub language: Language,
    /// The error line of a `ui.toml` that cannot be read or names an
    /// unknown language. The language then falls back to English.
    pub error: Option<String>,
}

/// Chooses the UI's language: the `language` of `ui.toml` in
/// `config_folder`, else the first of [`LOCALE_VARIABLES`] that `variable`
/// returns a non-empty value for, when that locale is Chinese or English,
/// else English. A `ui.toml` that cannot be used gives English and an
/// error line, so a mistake in the file shows instead of being covered by
/// the system locale.
pub fn choose(config_folder: Option<&Path>, variable: impl Fn(&str) -> Option<String>) -> Choice {
    match config_folder.map(read_setting).transpose() {
        Ok(Some(Some(language))) => Choice {
            language,
            error: None,
        },
        Ok(_) => Choice {
            language: system_language(variable).unwrap_or(Language::English),
            error: None,
        },
        Err(error) => {
            tracing::error!(%error, "UI settings invalid, running in English");
            Choice {
                language: Language::English,
                error: Some(error),
            }
        }
    }
}

/// Returns the error line of a `ui.toml` in `folder` that cannot be used,
/// which the workbench shows across the top, or `None` when it can be used
/// or is missing.
pub fn setting_error(folder: &Path) -> Option<String> {
    read_setting(folder).err()
}

/// Returns the language of the system locale, or `None` when the locale
/// is unset or in a language without a translation.
// NOTE: only the POSIX variables are read. Windows and macOS usually leave
// them unset, so there the app runs in English unless ui.toml sets the
// language.
fn system_language(variable: impl Fn(&str) -> Option<String>) -> Option<Language> {
    let locale = LOCALE_VARIABLES
        .iter()
        .filter_map(|name| variable(name))
        .find(|value| !value.trim().is_empty())?;
    Language::from_locale(&locale)
}

/// Contents of `ui.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Settings {
    /// `en`, `zh-CN`, or `system` for the system locale.
    language: Option<String>,
    /// `light`, `dark` or `system`, which the settings screen reads and
    /// checks.
    #[allow(dead_code)]
    theme: Option<toml::Value>,
}

/// Reads the language setting of `ui.toml` in `folder`. Returns `None`
/// when the file is missing, has no `language` or sets it to `system`, and
/// an error line when the file cannot be read or parsed or names another
/// language.
fn read_setting(folder: &Path) -> Result<Option<Language>, String> {
    let path = folder.join(SETTINGS_FILE);
    // The error lines are in English, the language Kefu falls back to.
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(labels::ui_settings_unreadable(&path, &error.to_string())),
    };
    let settings: Settings = toml::from_str(&text).map_err(|error| {
        let place = error.span().map(|span| {
            let (line, column) = kefu_core::alerts::config::line_and_column(&text, span.start);
            format!("line {line}, column {column}: ")
        });
        let message = format!(
            "{}{}",
            place.unwrap_or_default(),
            error.message().trim_end()
        );
        labels::ui_settings_invalid(&path, &message)
    })?;
    let Some(value) = settings.language else {
        return Ok(None);
    };
    if value.trim().eq_ignore_ascii_case("system") {
        return Ok(None);
    }
    Language::from_tag(&value)
        .map(Some)
        .ok_or_else(|| labels::ui_language_invalid(&path, &value))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn environment(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect();
        move |name| {
            pairs
                .iter()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.clone())
        }
    }

    fn folder_with(settings: &str) -> tempfile::TempDir {
        let folder = tempfile::tempdir().expect("create a temporary folder");
        std::fs::write(folder.path().join(SETTINGS_FILE), settings).expect("write ui.toml");
        folder
    }

    #[test]
    fn tag_parsing() {
        assert_eq!(Language::from_tag("en"), Some(Language::English));
        assert_eq!(
            Language::from_tag("zh-CN"),
            Some(Language::SimplifiedChinese)
        );
        assert_eq!(
            Language::from_tag("zh_cn"),
            Some(Language::SimplifiedChinese)
        );
        assert_eq!(Language::from_tag(" EN "), Some(Language::English));
        assert_eq!(Language::from_tag("fr"), None);
        assert_eq!(Language::from_tag("zh"), None);
    }

    #[test]
    fn locale_parsing() {
        let cases = [
            ("zh_CN.UTF-8", Some(Language::SimplifiedChinese)),
            ("zh_TW.UTF-8", Some(Language::SimplifiedChinese)),
            ("zh", Some(Language::SimplifiedChinese)),
            ("en_US.UTF-8", Some(Language::English)),
            ("de_DE@euro", None),
            ("C.UTF-8", None),
            ("POSIX", None),
        ];
        for (locale, expected) in cases {
            assert_eq!(Language::from_locale(locale), expected, "locale {locale}");
        }
    }

    #[test]
    fn locale_variables_in_posix_order() {
        let both = environment(&[("LC_ALL", "zh_CN.UTF-8"), ("LANG", "en_US.UTF-8")]);
        assert_eq!(choose(None, both).language, Language::SimplifiedChinese);

        let messages = environment(&[("LC_MESSAGES", "en_GB.UTF-8"), ("LANG", "zh_CN.UTF-8")]);
        assert_eq!(choose(None, messages).language, Language::English);

        let empty_lc_all = environment(&[("LC_ALL", ""), ("LANG", "zh_CN.UTF-8")]);
        assert_eq!(
            choose(None, empty_lc_all).language,
            Language::SimplifiedChinese
        );
    }

    #[test]
    fn unset_or_other_locale_gives_english() {
        assert_eq!(choose(None, environment(&[])).language, Language::English);
        let french = environment(&[("LANG", "fr_FR.UTF-8")]);
        assert_eq!(choose(None, french).language, Language::English);
    }

    #[test]
    fn setting_overrides_locale() {
        let folder = folder_with("language = \"en\"\n");
        let chinese_locale = environment(&[("LANG", "zh_CN.UTF-8")]);
        let choice = choose(Some(folder.path()), chinese_locale);
        assert_eq!(choice.language, Language::English);
        assert_eq!(choice.error, None);

        let folder = folder_with("language = \"zh-CN\"\n");
        let choice = choose(Some(folder.path()), environment(&[("LANG", "C")]));
        assert_eq!(choice.language, Language::SimplifiedChinese);
        assert_eq!(choice.error, None);
    }

    #[test]
    fn system_setting_follows_locale() {
        let folder = folder_with("language = \"system\"\n");
        let choice = choose(Some(folder.path()), environment(&[("LANG", "zh_CN.UTF-8")]));
        assert_eq!(choice.language, Language::SimplifiedChinese);
        assert_eq!(choice.error, None);

        let empty = tempfile::tempdir().expect("create a temporary folder");
        let choice = choose(Some(empty.path()), environment(&[("LANG", "zh_CN.UTF-8")]));
        assert_eq!(choice.language, Language::SimplifiedChinese);
        assert_eq!(choice.error, None);
    }

    #[test]
    fn example_settings_choose_chinese() {
        let folder = folder_with(include_str!("../../../docs/examples/ui.toml"));
        let choice = choose(Some(folder.path()), environment(&[("LANG", "en_US.UTF-8")]));
        assert_eq!(choice.language, Language::SimplifiedChinese);
        assert_eq!(choice.error, None);
    }

    #[test]
    fn unknown_language_falls_back_to_english() {
        let folder = folder_with("language = \"fr\"\n");
        let choice = choose(Some(folder.path()), environment(&[("LANG", "zh_CN.UTF-8")]));
        assert_eq!(choice.language, Language::English);
        let error = choice
            .error
            .expect("an error line for the unknown language");
        assert!(error.contains("\"fr\""), "{error}");
        assert!(error.contains("\"en\", \"zh-CN\" or \"system\""), "{error}");
        assert!(error.contains("ui.toml"), "{error}");
    }

    #[test]
    fn malformed_settings_fall_back_to_english() {
        let folder = folder_with("language = zh-CN\n");
        let choice = choose(Some(folder.path()), environment(&[("LANG", "zh_CN.UTF-8")]));
        assert_eq!(choice.language, Language::English);
        let error = choice.error.expect("an error line for the malformed file");
        assert!(error.starts_with("Invalid UI settings in "), "{error}");

        let folder = folder_with("langauge = \"zh-CN\"\n");
        let choice = choose(Some(folder.path()), environment(&[]));
        assert_eq!(choice.language, Language::English);
        let error = choice.error.expect("an error line for the unknown key");
        assert!(error.contains("langauge"), "{error}");
    }
}
