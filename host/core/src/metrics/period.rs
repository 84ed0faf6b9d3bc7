//! Report periods and the time buckets inside them, in a local time zone.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, TimeZone, Timelike, Utc};
use chrono_tz::Tz;
use serde::Serialize;

/// Length of a time bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Granularity {
    Hour,
    Day,
    /// ISO week, Monday to Sunday.
    Week,
    Month,
}

impl Granularity {
    pub(crate) fn header(self) -> &'static str {
        match self {
            Self::Hour => "hour",
            Self::Day => "day",
            Self::Week => "week",
            Self::Month => "month",
        }
    }

    /// Local start of the bucket that contains `local`.
    fn start_of(self, local: NaiveDateTime) -> NaiveDateTime {
        let date = local.date();
        match self {
            Self::Hour => date.and_hms_opt(local.hour(), 0, 0),
            Self::Day => date.and_hms_opt(0, 0, 0),
            Self::Week => (date - Duration::days(i64::from(date.weekday().num_days_from_monday())))
                .and_hms_opt(0, 0, 0),
            Self::Month => date
                .with_day(1)
                .and_then(|first| first.and_hms_opt(0, 0, 0)),
        }
        .expect("midnight and whole hours exist on every date")
    }

    /// Local start of the bucket after the one starting at `start`.
    fn next(self, start: NaiveDateTime) -> NaiveDateTime {
        match self {
            Self::Hour => start + Duration::hours(1),
            Self::Day => start + Duration::days(1),
            Self::Week => start + Duration::days(7),
            Self::Month => {
                let date = start.date();
                let (year, month) = if date.month() == 12 {
                    (date.year() + 1, 1)
                } else {
                    (date.year(), date.month() + 1)
                };
                NaiveDate::from_ymd_opt(year, month, 1)
                    .and_then(|first| first.and_hms_opt(0, 0, 0))
                    .expect("the first of a month exists")
            }
        }
    }

    /// Label of the bucket starting at the local time `start`.
    fn label(self, start: NaiveDateTime) -> String {
        match self {
            Self::Hour => start.format("%Y-%m-%d %H:00").to_string(),
            Self::Day => start.format("%Y-%m-%d").to_string(),
            Self::Week => {
                let week = start.date().iso_week();
                format!("{}-W{:02}", week.year(), week.week())
            }
            Self::Month => start.format("%Y-%m").to_string(),
        }
    }
}

/// A report period `[from, to)` and its name as the user gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub label: String,
    /// The time zone the period's dates were read in.
    pub time_zone: Tz,
}

/// One time bucket of a period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Bucket {
    pub(crate) from: DateTime<Utc>,
    pub(crate) to: DateTime<Utc>,
    pub(crate) label: String,
    pub(crate) local_start: NaiveDateTime,
}

/// Parses a `--period` value in `time_zone`: a year (`2026`), a month
/// (`2026-11`), an ISO week (`2026-W45`), a day (`2026-11-05`) or a range of
/// days with both ends included (`2026-11-01..2026-11-15`).
pub fn parse_period(text: &str, time_zone: Tz) -> anyhow::Result<Period> {
    let text = text.trim();
    let invalid = || {
        anyhow::anyhow!(
            "--period {text:?} is not a period; use a year (2026), a month (2026-11), an ISO \
             week (2026-W45), a day (2026-11-05) or a range of days (2026-11-01..2026-11-15)"
        )
    };
    let (first, last) = if let Some((start, end)) = text.split_once("..") {
        let start = parse_date(start.trim()).ok_or_else(invalid)?;
        let end = parse_date(end.trim()).ok_or_else(invalid)?;
        if end < start {
            anyhow::bail!("--period {text:?} ends before it starts; put the earlier day first");
        }
        (start, end)
    } else if let Some((year, week)) = text.split_once(['W', 'w']) {
        let year: i32 = year.trim_end_matches('-').parse().map_err(|_| invalid())?;
        let week: u32 = week.parse().map_err(|_| invalid())?;
        let monday =
            NaiveDate::from_isoywd_opt(year, week, chrono::Weekday::Mon).ok_or_else(invalid)?;
        (monday, monday + Duration::days(6))
    } else if let Some(date) = parse_date(text) {
        (date, date)
    } else if let Ok(month) = NaiveDate::parse_from_str(&format!("{text}-01"), "%Y-%m-%d") {
        let next = Granularity::Month.next(month.and_hms_opt(0, 0, 0).ok_or_else(invalid)?);
        (month, next.date() - Duration::days(1))
    } else if text.len() == 4
        && let Ok(year) = text.parse::<i32>()
    {
        let first = NaiveDate::from_ymd_opt(year, 1, 1).ok_or_else(invalid)?;
        let last = NaiveDate::from_ymd_opt(year, 12, 31).ok_or_else(invalid)?;
        (first, last)
    } else {
        return Err(invalid());
    };
    let day_after = last.succ_opt().ok_or_else(invalid)?;
    Ok(Period {
        from: local_midnight(first, time_zone),
        to: local_midnight(day_after, time_zone),
        label: text.to_string(),
        time_zone,
    })
}

fn parse_date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

/// Returns the instant a local date starts. Where clocks skip midnight, the day
/// starts at the first local time that exists.
fn local_midnight(date: NaiveDate, time_zone: Tz) -> DateTime<Utc> {
    local_instant(
        date.and_hms_opt(0, 0, 0).expect("midnight exists"),
        time_zone,
    )
}

/// Returns the instant of a local time: its first occurrence when clocks
/// fall back, or the instant clocks jump when they skip it.
fn local_instant(local: NaiveDateTime, time_zone: Tz) -> DateTime<Utc> {
    let mut probe = local;
    // A skipped span is at most a few hours, so step forward a minute at a
    // time until the local time exists.
    for _ in 0..(24 * 60) {
        if let Some(time) = time_zone.from_local_datetime(&probe).earliest() {
            return time.with_timezone(&Utc);
        }
        probe += Duration::minutes(1);
    }
    Utc.from_utc_datetime(&local)
}

/// Splits `period` into local time buckets. The first and last buckets are
/// cut at the period's ends, and an hour that occurs twice when clocks
/// fall back is one bucket of two hours.
pub(crate) fn buckets(period: &Period, granularity: Granularity) -> Vec<Bucket> {
    let time_zone = period.time_zone;
    let mut buckets: Vec<Bucket> = Vec::new();
    let mut local_start = granularity.start_of(period.from.with_timezone(&time_zone).naive_local());
    while local_instant(local_start, time_zone) < period.to {
        let local_end = granularity.next(local_start);
        let from = local_instant(local_start, time_zone).max(period.from);
        let to = local_instant(local_end, time_zone).min(period.to);
        if to > from {
            buckets.push(Bucket {
                from,
                to,
                label: granularity.label(local_start),
                local_start,
            });
        }
        local_start = local_end;
    }
    buckets
}

/// Index of the bucket that contains `time`, if any.
pub(crate) fn bucket_index(buckets: &[Bucket], time: DateTime<Utc>) -> Option<usize> {
    let after = buckets.partition_point(|bucket| bucket.from <= time);
    let index = after.checked_sub(1)?;
    (time < buckets[index].to).then_some(index)
}
