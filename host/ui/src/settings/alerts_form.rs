//! The alerts section of the settings screen: the form's fields, their
//! checks, and the edit of `alerts.toml` that saving makes.

use std::path::Path;

use chrono::{Duration, NaiveTime};
use kefu_core::alerts::config::{MAX_GROUP_WINDOW_SECONDS, MAX_MINUTES};
use kefu_core::alerts::{AlertSettings, QuietHours, Sound, Tier};
use kefu_core::lifecycle::Lifecycle;
use toml_edit::{Array, DocumentMut, TableLike};

use super::files;
use crate::labels::Label;
use crate::labels::settings as labels;

/// An effect of a tier that the form switches on and off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Switch {
    Enabled,
    Attention,
    Desktop,
    Sound,
}

impl Switch {
    pub const ALL: [Switch; 4] = [
        Switch::Enabled,
        Switch::Attention,
        Switch::Desktop,
        Switch::Sound,
    ];

    /// Returns the key of the switch in a tier's table of `alerts.toml`.
    fn key(self) -> &'static str {
        match self {
            Switch::Enabled => "enabled",
            Switch::Attention => "attention",
            Switch::Desktop => "desktop",
            Switch::Sound => "sound",
        }
    }
}

/// The level of `alerts.toml` that saving writes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The top-level keys, which apply to every agent.
    Everyone,
    /// The `[agent.NAME]` table of the agent running the app.
    OnlyMe,
}

/// A field of the form that takes typed text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    GroupWindow,
    ReminderAfter,
    SlaWarningBefore,
    QuietStart,
    QuietEnd,
    /// The alert sound's file, relative to the configuration folder. Empty
    /// means the built-in sound.
    SoundFile,
}

/// The form's values as shown, typed text included.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertsForm {
    /// Switches per tier, in the order of [`Tier::ALL`] and [`Switch::ALL`].
    pub switches: [[bool; 4]; 5],
    pub group_window: String,
    pub reminder_after: String,
    pub sla_warning_before: String,
    pub quiet_enabled: bool,
    pub quiet_start: String,
    pub quiet_end: String,
    pub sound_file: String,
    /// Priority ids whose tickets alert in the important tier, in the
    /// lifecycle's order.
    pub important_priorities: Vec<String>,
}

/// The checked values of the form.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    switches: [[bool; 4]; 5],
    group_window_seconds: i64,
    reminder_after_minutes: i64,
    sla_warning_before_minutes: i64,
    quiet_hours: Option<QuietHours>,
    sound: Sound,
    /// The sound file as entered, for `sound-file`; `None` for the
    /// built-in sound.
    sound_file: Option<String>,
    important_priorities: Vec<String>,
}

/// Default quiet hours the form offers when the file sets none.
const DEFAULT_QUIET_START: &str = "22:00";
const DEFAULT_QUIET_END: &str = "08:00";

impl AlertsForm {
    /// Fills the form from the settings in force. A sound file inside
    /// `config_folder` shows relative to it, as the file names it.
    pub fn from_settings(settings: &AlertSettings, config_folder: Option<&Path>) -> Self {
        let switches = Tier::ALL.map(|tier| {
            let tier = settings.tier(tier);
            [
                tier.enabled,
                tier.effects.attention,
                tier.effects.desktop,
                tier.effects.sound,
            ]
        });
        let quiet = settings.quiet_hours;
        let clock = |time: NaiveTime| time.format("%H:%M").to_string();
        Self {
            switches,
            group_window: settings.group_window.num_seconds().to_string(),
            reminder_after: settings.reminder_after.num_minutes().to_string(),
            sla_warning_before: settings.sla_warning_before.num_minutes().to_string(),
            quiet_enabled: quiet.is_some(),
            quiet_start: quiet.map_or(DEFAULT_QUIET_START.to_string(), |q| clock(q.start)),
            quiet_end: quiet.map_or(DEFAULT_QUIET_END.to_string(), |q| clock(q.end)),
            sound_file: match &settings.sound {
                Sound::Builtin => String::new(),
                Sound::File(path) => config_folder
                    .and_then(|folder| path.strip_prefix(folder).ok())
                    .unwrap_or(path)
                    .display()
                    .to_string(),
            },
            important_priorities: settings.important_priorities.clone(),
        }
    }

    pub fn important(&self, priority: &str) -> bool {
        self.important_priorities.iter().any(|id| id == priority)
    }

    /// Turns `priority` on or off as important, keeping the lifecycle's
    /// order of priorities.
    pub fn set_important(&mut self, lifecycle: &Lifecycle, priority: &str, on: bool) {
        self.important_priorities.retain(|id| id != priority);
        if on {
            self.important_priorities.push(priority.to_string());
        }
        let rank = |id: &String| {
            lifecycle
                .priorities()
                .iter()
                .position(|known| known.id == *id)
        };
        self.important_priorities.sort_by_key(rank);
    }

    pub fn switch(&self, tier: Tier, switch: Switch) -> bool {
        self.switches[tier.index()][switch as usize]
    }

    pub fn set_switch(&mut self, tier: Tier, switch: Switch, on: bool) {
        self.switches[tier.index()][switch as usize] = on;
    }

    pub fn text(&self, field: Field) -> &str {
        match field {
            Field::GroupWindow => &self.group_window,
            Field::ReminderAfter => &self.reminder_after,
            Field::SlaWarningBefore => &self.sla_warning_before,
            Field::QuietStart => &self.quiet_start,
            Field::QuietEnd => &self.quiet_end,
            Field::SoundFile => &self.sound_file,
        }
    }

    pub fn set_text(&mut self, field: Field, value: String) {
        let slot = match field {
            Field::GroupWindow => &mut self.group_window,
            Field::ReminderAfter => &mut self.reminder_after,
            Field::SlaWarningBefore => &mut self.sla_warning_before,
            Field::QuietStart => &mut self.quiet_start,
            Field::QuietEnd => &mut self.quiet_end,
            Field::SoundFile => &mut self.sound_file,
        };
        *slot = value;
    }

    /// Checks every field. A sound file is looked up in `config_folder`
    /// and must open and decode. Returns the checked values, or one error
    /// line per invalid field, each naming the field and what to enter.
    pub fn check(&self, config_folder: &Path) -> Result<Checked, Vec<(Field, Label)>> {
        let mut errors = Vec::new();
        let mut number = |field: Field, min: i64, max: i64| {
            let value = self.text(field).trim();
            match value.parse::<i64>() {
                Ok(number) if (min..=max).contains(&number) => number,
                _ => {
                    let value = value.to_string();
                    let line = Label::new(move || {
                        labels::number_invalid(labels::field(field), &value, min, max)
                    });
                    errors.push((field, line));
                    min
                }
            }
        };
        let group_window_seconds = number(Field::GroupWindow, 0, MAX_GROUP_WINDOW_SECONDS);
        let reminder_after_minutes = number(Field::ReminderAfter, 1, MAX_MINUTES);
        let sla_warning_before_minutes = number(Field::SlaWarningBefore, 1, MAX_MINUTES);

        let mut quiet_hours = None;
        if self.quiet_enabled {
            let mut time = |field: Field| {
                let value = self.text(field).trim();
                let parsed = NaiveTime::parse_from_str(value, "%H:%M").ok();
                if parsed.is_none() {
                    let value = value.to_string();
                    let line =
                        Label::new(move || labels::time_invalid(labels::field(field), &value));
                    errors.push((field, line));
                }
                parsed
            };
            let (start, end) = (time(Field::QuietStart), time(Field::QuietEnd));
            if let (Some(start), Some(end)) = (start, end) {
                if start == end {
                    let clock = start.format("%H:%M").to_string();
                    let line = Label::new(move || labels::quiet_same(&clock));
                    errors.push((Field::QuietEnd, line));
                }
                quiet_hours = Some(QuietHours { start, end });
            }
        }
        let sound_file = self.sound_file.trim();
        let sound = if sound_file.is_empty() {
            Sound::Builtin
        } else {
            let path = config_folder.join(sound_file);
            if let Err(error) = crate::alerts::sound::decode(&path) {
                let reason = format!("{error:#}");
                let sound_path = path.clone();
                let line = Label::new(move || labels::sound_invalid(&sound_path, &reason));
                errors.push((Field::SoundFile, line));
            }
            Sound::File(path)
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Checked {
            switches: self.switches,
            group_window_seconds,
            reminder_after_minutes,
            sla_warning_before_minutes,
            quiet_hours,
            sound,
            sound_file: (!sound_file.is_empty()).then(|| sound_file.to_string()),
            important_priorities: self.important_priorities.clone(),
        })
    }
}

impl Checked {
    /// Returns `base` with the checked values applied: the settings the
    /// agent gets once the file is saved, unless a table of a higher level
    /// overrides them.
    pub fn applied_to(&self, base: &AlertSettings) -> AlertSettings {
        let mut settings = base.clone();
        for tier in Tier::ALL {
            let [enabled, attention, desktop, sound] = self.switches[tier.index()];
            let target = &mut settings.tiers[tier.index()];
            target.enabled = enabled;
            target.effects.attention = attention;
            target.effects.desktop = desktop;
            target.effects.sound = sound;
        }
        settings.group_window = Duration::seconds(self.group_window_seconds);
        settings.reminder_after = Duration::minutes(self.reminder_after_minutes);
        settings.sla_warning_before = Duration::minutes(self.sla_warning_before_minutes);
        settings.quiet_hours = self.quiet_hours;
        settings.sound = self.sound.clone();
        settings.important_priorities = self.important_priorities.clone();
        settings
    }

    /// Writes into `document` the values that differ from `before`, the
    /// settings the form was filled from, at `scope`. Keys whose value did
    /// not change are left as they are, so an unchanged setting keeps
    /// coming from the level that sets it now.
    pub fn edit(
        &self,
        document: &mut DocumentMut,
        before: &AlertSettings,
        scope: Scope,
        agent: &str,
    ) -> anyhow::Result<()> {
        let root: &mut dyn TableLike = document.as_table_mut();
        let target = match scope {
            Scope::Everyone => root,
            Scope::OnlyMe => {
                let agents = files::table_in(root, "agent", true)?;
                files::table_in(agents, agent, true)?
            }
        };
        if self.sound != before.sound {
            match &self.sound_file {
                Some(file) => files::set_value(target, "sound-file", file.as_str().into()),
                // NOTE: no value of `sound-file` means the built-in sound,
                // so removing the key at this level falls back to the
                // level below, which may name a file. The saved line then
                // states that another level overrides the form.
                None => {
                    target.remove("sound-file");
                }
            }
        }
        if self.important_priorities != before.important_priorities {
            let table = files::table_in(target, Tier::Important.key(), false)?;
            let priorities: Array = self.important_priorities.iter().collect();
            files::set_value(table, "priorities", priorities.into());
        }
        if self.group_window_seconds != before.group_window.num_seconds() {
            files::set_value(
                target,
                "group-window-seconds",
                self.group_window_seconds.into(),
            );
        }
        for tier in Tier::ALL {
            let old = before.tier(tier);
            let old = [
                old.enabled,
                old.effects.attention,
                old.effects.desktop,
                old.effects.sound,
            ];
            let new = self.switches[tier.index()];
            let mut minutes = None;
            if tier == Tier::Reminder
                && self.reminder_after_minutes != before.reminder_after.num_minutes()
            {
                minutes = Some(("after-minutes", self.reminder_after_minutes));
            }
            if tier == Tier::SlaWarning
                && self.sla_warning_before_minutes != before.sla_warning_before.num_minutes()
            {
                minutes = Some(("before-minutes", self.sla_warning_before_minutes));
            }
            if old == new && minutes.is_none() {
                continue;
            }
            let table = files::table_in(target, tier.key(), false)?;
            for switch in Switch::ALL {
                let on = new[switch as usize];
                if on != old[switch as usize] {
                    files::set_value(table, switch.key(), on.into());
                }
            }
            if let Some((key, value)) = minutes {
                files::set_value(table, key, value.into());
            }
        }
        if self.quiet_hours != before.quiet_hours {
            let table = files::table_in(target, "quiet-hours", false)?;
            match self.quiet_hours {
                None => files::set_value(table, "enabled", false.into()),
                Some(quiet) => {
                    if table.contains_key("enabled") {
                        files::set_value(table, "enabled", true.into());
                    }
                    let clock = |time: NaiveTime| time.format("%H:%M").to_string();
                    files::set_value(table, "start", clock(quiet.start).into());
                    files::set_value(table, "end", clock(quiet.end).into());
                }
            }
        }
        Ok(())
    }
}
