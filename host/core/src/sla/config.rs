//! Parsing and checking of `sla.toml`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use chrono::{Duration, NaiveDate};
use chrono_tz::Tz;
use serde::Deserialize;

use super::calendar::{BusinessCalendar, MINUTES_PER_DAY, WorkInterval};

/// The built-in configuration, used when the configuration folder has no
/// `sla.toml`.
const BUILTIN_TEXT: &str = include_str!("default.toml");

/// Largest target a configuration may give, in hours. It keeps parsed
/// durations far from the limits of [`Duration`].
const MAX_TARGET_HOURS: i64 = 1_000_000;

/// Weekday keys of `[business-hours]`, Monday first.
const WEEKDAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// A checked SLA configuration: the business-hours calendar and the SLA
/// targets per ticket priority and customer tier.
#[derive(Debug, Clone, PartialEq)]
pub struct SlaConfig {
    calendar: BusinessCalendar,
    rules: Vec<TargetRule>,
}

/// SLA targets in business time. `None` means the ticket has no target of
/// that kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Targets {
    pub first_response: Option<Duration>,
    pub resolution: Option<Duration>,
}

/// One `[[target]]` table: the tickets it applies to and their targets. An
/// unset priority or tier matches any value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetRule {
    pub priority: Option<String>,
    pub tier: Option<String>,
    pub targets: Targets,
}

/// An `sla.toml` that cannot be read or used. The message names the file,
/// the key, the value and the expected form.
#[derive(Debug, thiserror::Error)]
pub enum SlaConfigError {
    #[error("failed to read {}: {error}", path.display())]
    Read {
        path: PathBuf,
        error: std::io::Error,
    },
    /// Invalid TOML, a value of the wrong type or an unknown key. The
    /// message from the TOML parser contains the line and the key.
    #[error("{file}: {message}")]
    Syntax { file: String, message: String },
    /// A key whose value is out of range or inconsistent with another key.
    #[error("{file}: {key}: {message}")]
    Invalid {
        file: String,
        key: String,
        message: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawConfig {
    business_hours: Option<RawBusinessHours>,
    #[serde(default)]
    target: Vec<RawTarget>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawBusinessHours {
    time_zone: Option<String>,
    monday: Option<Vec<String>>,
    tuesday: Option<Vec<String>>,
    wednesday: Option<Vec<String>>,
    thursday: Option<Vec<String>>,
    friday: Option<Vec<String>>,
    saturday: Option<Vec<String>>,
    sunday: Option<Vec<String>>,
    #[serde(default)]
    holidays: Vec<toml::Value>,
    #[serde(default)]
    make_up_days: Vec<toml::Value>,
    make_up_hours: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawTarget {
    priority: Option<String>,
    tier: Option<String>,
    first_response: Option<String>,
    resolution: Option<String>,
}

impl SlaConfig {
    /// Parses and checks the text of an `sla.toml`. `source` names the file
    /// in error messages.
    pub fn parse(text: &str, source: &str) -> Result<Self, SlaConfigError> {
        let raw: RawConfig = toml::from_str(text).map_err(|error| SlaConfigError::Syntax {
            file: source.to_owned(),
            message: error.to_string().trim_end().to_owned(),
        })?;
        let invalid = |key: &str, message: String| SlaConfigError::Invalid {
            file: source.to_owned(),
            key: key.to_owned(),
            message,
        };

        let hours = raw.business_hours.ok_or_else(|| {
            invalid(
                "business-hours",
                "the table is missing; add [business-hours] with a time-zone and working hours"
                    .into(),
            )
        })?;
        let calendar = parse_calendar(hours).map_err(|(key, message)| invalid(&key, message))?;
        let rules = parse_targets(raw.target).map_err(|(key, message)| invalid(&key, message))?;
        Ok(Self { calendar, rules })
    }

    /// Reads and checks an `sla.toml`. A missing file gives the built-in
    /// configuration.
    pub fn load(path: &Path) -> Result<Self, SlaConfigError> {
        match crate::desk::read_config(path) {
            Ok(text) => Self::parse(&text, &path.display().to_string()),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(Self::builtin()),
            Err(error) => Err(SlaConfigError::Read {
                path: path.to_owned(),
                error,
            }),
        }
    }

    /// Returns the built-in configuration: Asia/Shanghai, Monday to Friday
    /// 09:00-12:00 and 13:00-18:00, the 2026 mainland China public holidays
    /// and make-up days, and targets per priority with tighter ones for VIP
    /// customers.
    pub fn builtin() -> Self {
        // The unit tests call this, so an invalid built-in file fails them.
        Self::parse(BUILTIN_TEXT, "built-in sla.toml").expect("the built-in sla.toml is valid")
    }

    /// Returns the text of the built-in `sla.toml`, which a new file can
    /// start from.
    pub fn builtin_text() -> &'static str {
        BUILTIN_TEXT
    }

    /// Returns the business-hours calendar that deadlines are computed in.
    pub fn calendar(&self) -> &BusinessCalendar {
        &self.calendar
    }

    /// Returns the `[[target]]` tables in file order.
    pub fn rules(&self) -> &[TargetRule] {
        &self.rules
    }

    /// Finds the targets for a ticket. The most specific table wins: one
    /// that names both the priority and the tier, then the priority alone,
    /// then the tier alone, then the table that names neither. Names are
    /// compared exactly. With no matching table the ticket has no targets.
    pub fn targets(&self, priority: &str, tier: &str) -> Targets {
        let selectors = [
            (Some(priority), Some(tier)),
            (Some(priority), None),
            (None, Some(tier)),
            (None, None),
        ];
        selectors
            .iter()
            .find_map(|&(priority, tier)| {
                self.rules.iter().find(|rule| {
                    rule.priority.as_deref() == priority && rule.tier.as_deref() == tier
                })
            })
            .map(|rule| rule.targets)
            .unwrap_or_default()
    }
}

/// A key and the message for it, before the file name is added.
type KeyError = (String, String);

fn parse_calendar(raw: RawBusinessHours) -> Result<BusinessCalendar, KeyError> {
    let time_zone_name = raw.time_zone.ok_or_else(|| {
        (
            "business-hours.time-zone".to_owned(),
            "the key is missing; give an IANA time zone such as \"Asia/Shanghai\"".to_owned(),
        )
    })?;
    let time_zone: Tz = time_zone_name.parse().map_err(|_| {
        (
            "business-hours.time-zone".to_owned(),
            format!(
                "{time_zone_name:?} is not an IANA time zone; write a name such as \
                 \"Asia/Shanghai\" or \"Europe/Berlin\""
            ),
        )
    })?;

    let days = [
        raw.monday,
        raw.tuesday,
        raw.wednesday,
        raw.thursday,
        raw.friday,
        raw.saturday,
        raw.sunday,
    ];
    let mut week: [Vec<WorkInterval>; 7] = Default::default();
    for ((name, day), intervals) in WEEKDAYS.iter().zip(days).zip(week.iter_mut()) {
        *intervals = parse_intervals(&format!("business-hours.{name}"), &day.unwrap_or_default())?;
    }
    if week.iter().all(Vec::is_empty) {
        return Err((
            "business-hours".to_owned(),
            "every weekday is closed, so no deadline could ever be reached; give working \
             hours to at least one day, such as monday = [\"09:00-18:00\"]"
                .to_owned(),
        ));
    }

    let holidays = parse_dates("business-hours.holidays", &raw.holidays)?;
    let make_up_days = parse_dates("business-hours.make-up-days", &raw.make_up_days)?;
    if let Some(date) = make_up_days.intersection(&holidays).next() {
        return Err((
            "business-hours.make-up-days".to_owned(),
            format!("{date} is also listed in holidays; keep it in one of the two lists"),
        ));
    }

    let make_up_hours = match raw.make_up_hours {
        Some(text) => {
            let hours = parse_intervals("business-hours.make-up-hours", &text)?;
            if hours.is_empty() {
                return Err((
                    "business-hours.make-up-hours".to_owned(),
                    "the list is empty; give the working hours of a make-up day, or remove \
                     the key to use monday's"
                        .to_owned(),
                ));
            }
            hours
        }
        None => week[0].clone(),
    };
    if !make_up_days.is_empty() && make_up_hours.is_empty() {
        return Err((
            "business-hours.make-up-hours".to_owned(),
            "the key is missing and monday is closed, so make-up days would have no working \
             hours; give make-up-hours such as [\"09:00-18:00\"]"
                .to_owned(),
        ));
    }

    Ok(BusinessCalendar::new(
        time_zone,
        week,
        holidays,
        make_up_days,
        make_up_hours,
    ))
}

/// Parses a list of `"HH:MM-HH:MM"` intervals, sorted and checked for
/// overlaps. Intervals that touch, such as `09:00-12:00` and `12:00-13:00`,
/// are allowed.
fn parse_intervals(key: &str, texts: &[String]) -> Result<Vec<WorkInterval>, KeyError> {
    let mut intervals = Vec::with_capacity(texts.len());
    for text in texts {
        intervals.push(parse_interval(text).map_err(|message| (key.to_owned(), message))?);
    }
    intervals.sort();
    for pair in intervals.windows(2) {
        if pair[1].start < pair[0].end {
            return Err((
                key.to_owned(),
                format!(
                    "\"{}\" overlaps \"{}\"; working intervals of one day must not overlap",
                    format_interval(pair[0]),
                    format_interval(pair[1])
                ),
            ));
        }
    }
    Ok(intervals)
}

fn parse_interval(text: &str) -> Result<WorkInterval, String> {
    let not_interval = || format!("{text:?} is not an interval; write \"09:00-18:00\"");
    let (start, end) = text.split_once('-').ok_or_else(not_interval)?;
    let start = parse_clock(start.trim()).ok_or_else(not_interval)?;
    let end = parse_clock(end.trim()).ok_or_else(not_interval)?;
    if start == MINUTES_PER_DAY {
        return Err(format!(
            "{text:?} starts at 24:00; 24:00 may only end an interval"
        ));
    }
    if end <= start {
        return Err(format!(
            "{text:?} ends before or when it starts; write the earlier time first, and split \
             an interval that crosses midnight into \"22:00-24:00\" and \"00:00-06:00\" on the \
             next day"
        ));
    }
    Ok(WorkInterval { start, end })
}

/// Parses `HH:MM` from 00:00 to 24:00 into minutes after midnight.
fn parse_clock(text: &str) -> Option<u16> {
    let (hours, minutes) = text.split_once(':')?;
    if hours.len() != 2 || minutes.len() != 2 {
        return None;
    }
    if !hours
        .bytes()
        .chain(minutes.bytes())
        .all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let hours: u16 = hours.parse().ok()?;
    let minutes: u16 = minutes.parse().ok()?;
    if minutes >= 60 || hours > 24 || (hours == 24 && minutes != 0) {
        return None;
    }
    Some(hours * 60 + minutes)
}

fn format_interval(interval: WorkInterval) -> String {
    format!(
        "{:02}:{:02}-{:02}:{:02}",
        interval.start / 60,
        interval.start % 60,
        interval.end / 60,
        interval.end % 60
    )
}

/// Parses a list of local dates, written as strings (`"2026-10-01"`) or as
/// TOML dates (`2026-10-01`).
fn parse_dates(key: &str, values: &[toml::Value]) -> Result<BTreeSet<NaiveDate>, KeyError> {
    let mut dates = BTreeSet::new();
    for value in values {
        let date = match value {
            toml::Value::String(text) => NaiveDate::parse_from_str(text, "%Y-%m-%d").ok(),
            toml::Value::Datetime(datetime) if datetime.time.is_none() => {
                datetime.date.and_then(|date| {
                    NaiveDate::from_ymd_opt(
                        i32::from(date.year),
                        u32::from(date.month),
                        u32::from(date.day),
                    )
                })
            }
            _ => None,
        };
        let date = date.ok_or_else(|| {
            (
                key.to_owned(),
                format!("{value} is not a date; write \"2026-10-01\""),
            )
        })?;
        dates.insert(date);
    }
    Ok(dates)
}

fn parse_targets(raw: Vec<RawTarget>) -> Result<Vec<TargetRule>, KeyError> {
    let mut rules: Vec<TargetRule> = Vec::with_capacity(raw.len());
    for (index, target) in raw.into_iter().enumerate() {
        // Tables are numbered from 1 in messages, in file order.
        let number = index + 1;
        let key = |field: &str| format!("target #{number}.{field}");

        for (field, value) in [("priority", &target.priority), ("tier", &target.tier)] {
            if value.as_deref().is_some_and(|name| name.trim().is_empty()) {
                return Err((
                    key(field),
                    "the name is empty; remove the key to match every value".to_owned(),
                ));
            }
        }
        let first_response = target
            .first_response
            .as_deref()
            .map(parse_target_duration)
            .transpose()
            .map_err(|message| (key("first-response"), message))?;
        let resolution = target
            .resolution
            .as_deref()
            .map(parse_target_duration)
            .transpose()
            .map_err(|message| (key("resolution"), message))?;

        if let Some(earlier) = rules
            .iter()
            .position(|rule| rule.priority == target.priority && rule.tier == target.tier)
        {
            return Err((
                format!("target #{number}"),
                format!(
                    "it matches the same priority and tier as target #{}, so it could never \
                     apply; merge the two tables",
                    earlier + 1
                ),
            ));
        }
        rules.push(TargetRule {
            priority: target.priority,
            tier: target.tier,
            targets: Targets {
                first_response,
                resolution,
            },
        });
    }
    Ok(rules)
}

/// Parses a business-time target: hours and minutes such as `"30m"`,
/// `"8h"` or `"1h30m"`. Days are rejected, because a day of business time
/// could mean 24 hours or one working day.
fn parse_target_duration(text: &str) -> Result<Duration, String> {
    let expected = || {
        format!(
            "{text:?} is not a duration; write hours and minutes such as \"30m\", \"8h\" or \
             \"1h30m\""
        )
    };
    if text.contains(['d', 'D']) {
        return Err(format!(
            "{text:?} uses days, which are ambiguous in business time; write hours such as \
             \"16h\" for two working days of 8 hours"
        ));
    }

    let (hours, rest) = match text.split_once('h') {
        Some((hours, rest)) => (Some(hours), rest),
        None => (None, text),
    };
    let minutes = match rest {
        "" => None,
        rest => Some(rest.strip_suffix('m').ok_or_else(expected)?),
    };
    if hours.is_none() && minutes.is_none() {
        return Err(expected());
    }

    let number = |digits: Option<&str>| -> Result<i64, String> {
        match digits {
            None => Ok(0),
            Some(digits) if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) => {
                digits.parse::<i64>().map_err(|_| expected())
            }
            Some(_) => Err(expected()),
        }
    };
    let hour_count = number(hours)?;
    let minute_count = number(minutes)?;
    let total_minutes = hour_count
        .checked_mul(60)
        .and_then(|from_hours| from_hours.checked_add(minute_count))
        .ok_or_else(expected)?;
    if total_minutes == 0 {
        return Err(format!(
            "{text:?} is zero; remove the key for no target, or give a time above zero"
        ));
    }
    if total_minutes > MAX_TARGET_HOURS * 60 {
        return Err(format!(
            "{text:?} is longer than the maximum of {MAX_TARGET_HOURS}h"
        ));
    }
    Ok(Duration::minutes(total_minutes))
}
