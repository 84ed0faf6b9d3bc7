//! The words of the settings screen.

use std::path::Path;

use super::catalog::{fill, text};
use super::verbatim;
use crate::language::Language;
use crate::settings::{Field, LanguageChoice, Switch, ThemeChoice};

/// Returns the label of the button that opens the settings screen, which
/// is also its heading.
pub fn settings() -> &'static str {
    text("settings")
}

pub fn appearance() -> &'static str {
    text("settings-appearance")
}

pub fn theme() -> &'static str {
    text("settings-theme")
}

pub fn theme_choice(theme: ThemeChoice) -> &'static str {
    match theme {
        ThemeChoice::System => text("settings-theme-system"),
        ThemeChoice::Light => text("settings-theme-light"),
        ThemeChoice::Dark => text("settings-theme-dark"),
    }
}

pub fn language() -> &'static str {
    text("settings-language")
}

/// Names a language choice. The languages are named in their own
/// language, so an agent finds theirs whatever the UI shows.
pub fn language_choice(language: LanguageChoice) -> &'static str {
    match language {
        LanguageChoice::System => text("settings-language-system"),
        LanguageChoice::Fixed(Language::English) => text("settings-language-en"),
        LanguageChoice::Fixed(Language::SimplifiedChinese) => text("settings-language-zh-cn"),
    }
}

pub fn save() -> &'static str {
    text("settings-save")
}

/// Formats the line after `ui.toml` was saved to `path`.
pub fn appearance_saved(path: &Path) -> String {
    fill(
        "settings-appearance-saved",
        &[("path", verbatim(path.display()))],
    )
}

pub fn alerts() -> &'static str {
    text("settings-alerts")
}

/// Returns the label of the choice between the shared keys and the
/// agent's table.
pub fn scope() -> &'static str {
    text("settings-alerts-scope")
}

pub fn scope_everyone() -> &'static str {
    text("settings-alerts-everyone")
}

/// Formats the choice that saves into the `[agent.NAME]` table of `agent`.
pub fn scope_only_me(agent: &str) -> String {
    fill("settings-alerts-only-me", &[("agent", verbatim(agent))])
}

/// Returns the heading of the tier names in the table of tiers.
pub fn tier() -> &'static str {
    text("settings-tier")
}

pub fn switch(switch: Switch) -> &'static str {
    match switch {
        Switch::Enabled => text("settings-tier-enabled"),
        Switch::Attention => text("settings-tier-attention"),
        Switch::Desktop => text("settings-tier-desktop"),
        Switch::Sound => text("settings-tier-sound"),
    }
}

/// Names a text field of the alerts section, also in its error lines.
pub fn field(field: Field) -> &'static str {
    match field {
        Field::GroupWindow => text("settings-group-window"),
        Field::ReminderAfter => text("settings-reminder-after"),
        Field::SlaWarningBefore => text("settings-sla-warning-before"),
        Field::QuietStart => text("settings-quiet-start"),
        Field::QuietEnd => text("settings-quiet-end"),
        Field::SoundFile => text("settings-sound-file"),
    }
}

pub fn sound_file_placeholder() -> &'static str {
    text("settings-sound-file-placeholder")
}

/// Formats the error of a sound file at `path` that cannot be played.
pub fn sound_invalid(path: &Path, reason: &str) -> String {
    fill(
        "settings-sound-invalid",
        &[
            ("path", verbatim(path.display())),
            ("reason", reason.into()),
        ],
    )
}

pub fn important_priorities() -> &'static str {
    text("settings-important-priorities")
}

pub fn important_priorities_hint() -> &'static str {
    text("settings-important-priorities-hint")
}

/// Returns the heading of the section of the time zone.
pub fn time_zone_section() -> &'static str {
    text("settings-time-zone-section")
}

pub fn time_zone() -> &'static str {
    text("settings-time-zone")
}

pub fn time_zone_hint() -> &'static str {
    text("settings-time-zone-hint")
}

/// Formats the error of a typed time zone that is not an IANA name.
pub fn time_zone_invalid(value: &str) -> String {
    fill("settings-time-zone-invalid", &[("value", value.into())])
}

/// Formats what saving does while `sla.toml` has `error`.
pub fn sla_file_kept(error: &str) -> String {
    fill("settings-sla-file-kept", &[("error", error.into())])
}

/// Formats the line after the time zone `zone` was saved to `path`.
pub fn time_zone_saved(zone: &str, path: &Path) -> String {
    fill(
        "settings-time-zone-saved",
        &[("zone", verbatim(zone)), ("path", verbatim(path.display()))],
    )
}

pub fn quiet_hours() -> &'static str {
    text("settings-quiet-hours")
}

/// Formats the error of a number field whose `value` is not a whole
/// number from `min` to `max`.
pub fn number_invalid(field: &str, value: &str, min: i64, max: i64) -> String {
    fill(
        "settings-number-invalid",
        &[
            ("field", field.into()),
            ("value", value.into()),
            ("min", verbatim(min)),
            ("max", verbatim(max)),
        ],
    )
}

/// Formats the error of a time field whose `value` is not HH:MM.
pub fn time_invalid(field: &str, value: &str) -> String {
    fill(
        "settings-time-invalid",
        &[("field", field.into()), ("value", value.into())],
    )
}

/// Formats the error of quiet hours that start and end at `time`.
pub fn quiet_same(time: &str) -> String {
    fill("settings-quiet-same", &[("time", time.into())])
}

pub fn not_saved() -> &'static str {
    text("settings-not-saved")
}

/// Formats the line after `alerts.toml` was saved to `path`.
pub fn alerts_saved(path: &Path) -> String {
    fill(
        "settings-alerts-saved",
        &[("path", verbatim(path.display()))],
    )
}

/// Formats the line after a save for everyone that the agent's own table
/// partly overrides.
pub fn alerts_overridden(path: &Path, agent: &str) -> String {
    fill(
        "settings-alerts-overridden",
        &[
            ("path", verbatim(path.display())),
            ("agent", verbatim(agent)),
        ],
    )
}

/// Formats what saving does while `file` has an error.
pub fn file_kept(file: &str) -> String {
    fill("settings-file-kept", &[("file", verbatim(file))])
}

pub fn replace() -> &'static str {
    text("settings-replace")
}

/// Formats the line after a broken file was renamed to `backup` and a new
/// one written to `path`.
pub fn replaced(backup: &Path, path: &Path) -> String {
    fill(
        "settings-replaced",
        &[
            ("backup", verbatim(backup.display())),
            ("path", verbatim(path.display())),
        ],
    )
}

/// Formats the line of a save that failed with `error`.
pub fn save_failed(error: &str) -> String {
    fill("settings-save-failed", &[("error", error.into())])
}

pub fn no_folder() -> &'static str {
    text("settings-no-folder")
}

pub fn profile() -> &'static str {
    text("settings-profile")
}

/// Formats the name of the agent whose profile the section edits.
pub fn agent_name(agent: &str) -> String {
    fill("settings-agent-name", &[("agent", verbatim(agent))])
}

/// Returns the line that names where the agent name comes from.
pub fn agent_source() -> &'static str {
    text("settings-agent-source")
}

/// Formats the line for an agent the database has no record of yet.
pub fn agent_missing(agent: &str) -> String {
    fill("settings-agent-missing", &[("agent", verbatim(agent))])
}

pub fn display_name() -> &'static str {
    text("settings-display-name")
}

pub fn available() -> &'static str {
    text("settings-available")
}

/// Returns the line that names where the profile is kept and what reads
/// it.
pub fn profile_note() -> &'static str {
    text("settings-profile-note")
}

/// Formats the error of a display name that cannot be stored.
pub fn display_name_invalid(error: &str) -> String {
    fill("settings-display-name-invalid", &[("error", error.into())])
}

pub fn no_database() -> &'static str {
    text("settings-no-database")
}

pub fn profile_saved(agent: &str) -> String {
    fill("settings-profile-saved", &[("agent", verbatim(agent))])
}

pub fn profile_added(agent: &str) -> String {
    fill("settings-profile-added", &[("agent", verbatim(agent))])
}

/// Formats the line for a `ui.toml` whose theme cannot be used.
pub fn theme_invalid(error: &str) -> String {
    fill("settings-theme-invalid", &[("error", error.into())])
}
