//! The alerts section of the settings screen: the form's fields, their
//! checks, and the edit of `alerts.toml` that saving makes.

use chrono::{Duration, NaiveTime};
use kefu_core::alerts::config::{MAX_GROUP_WINDOW_SECONDS, MAX_MINUTES};
use kefu_core::alerts::{AlertSettings, QuietHours, Tier};
use toml_edit::{DocumentMut, TableLike};

use super::files;
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
}

/// The checked values of the form.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    switches: [[bool; 4]; 5],
    group_window_seconds: i64,
    reminder_after_minutes: i64,
    sla_warning_before_minutes: i64,
    quiet_hours: Option<QuietHours>,
}

/// Default quiet hours the form offers when the file sets none.
const DEFAULT_QUIET_START: &str = "22:00";
const DEFAULT_QUIET_END: &str = "08:00";

impl AlertsForm {
    /// Fills the form from the settings in force.
    pub fn from_settings(settings: &AlertSettings) -> Self {
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
        }
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
        }
    }

    pub fn set_text(&mut self, field: Field, value: String) {
        let slot = match field {
            Field::GroupWindow => &mut self.group_window,
            Field::ReminderAfter => &mut self.reminder_after,
            Field::SlaWarningBefore => &mut self.sla_warning_before,
            Field::QuietStart => &mut self.quiet_start,
            Field::QuietEnd => &mut self.quiet_end,
        };
        *slot = value;
    }

    /// Checks every field. Returns the checked values, or one error line
    /// per invalid field, each naming the field and what to enter.
    pub fn check(&self) -> Result<Checked, Vec<(Field, String)>> {
        let mut errors = Vec::new();
        let mut number = |field: Field, min: i64, max: i64| {
            let value = self.text(field).trim();
            match value.parse::<i64>() {
                Ok(number) if (min..=max).contains(&number) => number,
                _ => {
                    let line = labels::number_invalid(labels::field(field), value, min, max);
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
                    errors.push((field, labels::time_invalid(labels::field(field), value)));
                }
                parsed
            };
            let (start, end) = (time(Field::QuietStart), time(Field::QuietEnd));
            if let (Some(start), Some(end)) = (start, end) {
                if start == end {
                    let clock = start.format("%H:%M").to_string();
                    errors.push((Field::QuietEnd, labels::quiet_same(&clock)));
                }
                quiet_hours = Some(QuietHours { start, end });
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Checked {
            switches: self.switches,
            group_window_seconds,
            reminder_after_minutes,
            sla_warning_before_minutes,
            quiet_hours,
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
