//! The business-hours calendar: weekly working intervals in a time zone,
//! closed holidays and make-up working days.
//!
//! Every computation walks the calendar one working interval at a time, so
//! its cost grows with the number of calendar days covered, never with the
//! number of minutes.

use std::collections::BTreeSet;

use chrono::offset::LocalResult;
use chrono::{
    DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone, Utc,
};
use chrono_tz::Tz;

/// Number of calendar days a computation walks before it gives up. A
/// deadline further away than this is reported as [`DateTime::<Utc>::MAX_UTC`].
/// About 1,000 years, far beyond any SLA target.
pub const MAX_WALK_DAYS: i64 = 365_250;

/// Minutes in a calendar day, the largest end of a [`WorkInterval`].
pub(crate) const MINUTES_PER_DAY: u16 = 24 * 60;

/// A working interval of one day in local wall-clock time, `[start, end)` in
/// minutes after midnight. `end` may be 1440, which means midnight at the end
/// of the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct WorkInterval {
    pub(crate) start: u16,
    pub(crate) end: u16,
}

/// A business-hours calendar in one time zone.
///
/// Working intervals are local wall-clock times, so an interval lasts its
/// real length on a daylight-saving change day: `00:00-24:00` is 23 hours
/// on the day clocks spring forward and 25 hours on the day they fall back.
/// Two kinds of local time need a rule:
///
/// - A time skipped when clocks spring forward maps to the instant of the
///   change. On 2026-03-08 in New York, `02:00-02:30` is empty and
///   `01:30-02:30` lasts 30 minutes (01:30 EST to 03:00 EDT).
/// - A time that occurs twice when clocks fall back maps to its first
///   occurrence as an interval start and to its second occurrence as an
///   interval end. Every instant whose wall-clock time lies inside an
///   interval is then working time, and on 2026-11-01 in New York
///   `01:00-01:30` lasts 90 minutes (01:00 EDT to 01:30 EST).
///
/// Intervals that overlap in real time after these rules are merged.
#[derive(Debug, Clone, PartialEq)]
pub struct BusinessCalendar {
    time_zone: Tz,
    /// Working intervals per weekday, Monday first, sorted and disjoint.
    week: [Vec<WorkInterval>; 7],
    holidays: BTreeSet<NaiveDate>,
    make_up_days: BTreeSet<NaiveDate>,
    /// Working intervals of every make-up day.
    make_up_hours: Vec<WorkInterval>,
}

/// How far a deadline has run down at some moment, for countdowns and
/// pre-breach warnings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Progress {
    /// Business time left until the deadline, negative once it has passed.
    pub remaining: Duration,
    /// Share of the business time between start and deadline that has been
    /// used: 0.0 at or before the start, 1.0 at the deadline and above 1.0
    /// after it. With no business time between start and deadline it is 0.0
    /// before the deadline and 1.0 from it on.
    pub fraction_used: f64,
    /// True once the deadline instant has passed. A deadline met exactly on
    /// time is not breached.
    pub breached: bool,
}

impl BusinessCalendar {
    /// Builds a calendar from sorted, disjoint intervals with
    /// `start < end <= 1440`. The configuration parser checks these.
    pub(crate) fn new(
        time_zone: Tz,
        week: [Vec<WorkInterval>; 7],
        holidays: BTreeSet<NaiveDate>,
        make_up_days: BTreeSet<NaiveDate>,
        make_up_hours: Vec<WorkInterval>,
    ) -> Self {
        Self {
            time_zone,
            week,
            holidays,
            make_up_days,
            make_up_hours,
        }
    }

    /// Returns the IANA time zone the working intervals are read in.
    pub fn time_zone(&self) -> Tz {
        self.time_zone
    }

    /// Computes the deadline that lies `business` working time after
    /// `start`. A deadline that uses up an interval exactly is the end of
    /// that interval (Friday 17:00 plus 1 hour is Friday 18:00, not Monday
    /// 09:00). A zero or negative duration returns `start` unchanged.
    /// Returns [`DateTime::<Utc>::MAX_UTC`] when the calendar has too little
    /// working time within [`MAX_WALK_DAYS`] days.
    pub fn add(&self, start: DateTime<Utc>, business: Duration) -> DateTime<Utc> {
        if business <= Duration::zero() {
            return start;
        }
        let mut remaining = business;
        for (interval_start, interval_end) in self.intervals_from(start) {
            let from = interval_start.max(start);
            if interval_end <= from {
                continue;
            }
            let available = interval_end - from;
            if remaining <= available {
                return from + remaining;
            }
            remaining -= available;
        }
        DateTime::<Utc>::MAX_UTC
    }

    /// Computes the working time in `[a, b)`, zero when `b <= a`. Working
    /// time more than [`MAX_WALK_DAYS`] days after `a` is not counted.
    pub fn between(&self, a: DateTime<Utc>, b: DateTime<Utc>) -> Duration {
        let mut total = Duration::zero();
        if b <= a {
            return total;
        }
        for (interval_start, interval_end) in self.intervals_from(a) {
            if interval_start >= b {
                break;
            }
            let from = interval_start.max(a);
            let to = interval_end.min(b);
            if to > from {
                total += to - from;
            }
        }
        total
    }

    /// Reports whether `t` lies inside a working interval.
    pub fn is_working(&self, t: DateTime<Utc>) -> bool {
        self.intervals_from(t)
            .take_while(|(start, _)| *start <= t)
            .any(|(start, end)| start <= t && t < end)
    }

    /// Finds the first working instant at or after `t`: `t` itself during
    /// working time, otherwise the start of the next working interval.
    /// Returns [`DateTime::<Utc>::MAX_UTC`] when no interval starts within
    /// [`MAX_WALK_DAYS`] days.
    pub fn next_working(&self, t: DateTime<Utc>) -> DateTime<Utc> {
        self.intervals_from(t)
            .find(|(_, end)| *end > t)
            .map_or(DateTime::<Utc>::MAX_UTC, |(start, _)| start.max(t))
    }

    /// Moves a deadline for a clock that was paused at `paused_at` and
    /// resumed at `resumed_at`: the working time that was left at the pause
    /// is added from the resume. A deadline that had already passed at the
    /// pause stays as it was. A resume before the pause counts as a resume
    /// at the pause.
    pub fn resume(
        &self,
        due: DateTime<Utc>,
        paused_at: DateTime<Utc>,
        resumed_at: DateTime<Utc>,
    ) -> DateTime<Utc> {
        if due <= paused_at {
            return due;
        }
        let left = self.between(paused_at, due);
        self.add(resumed_at.max(paused_at), left)
    }

    /// Computes how far the deadline `due`, which started at `start`, has
    /// run down at `now`.
    pub fn progress(
        &self,
        start: DateTime<Utc>,
        due: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Progress {
        let remaining = if now <= due {
            self.between(now, due)
        } else {
            -self.between(due, now)
        };
        let total = self.between(start, due);
        let fraction_used = if total > Duration::zero() {
            let used = total - remaining;
            (seconds(used) / seconds(total)).max(0.0)
        } else if now >= due {
            1.0
        } else {
            0.0
        };
        Progress {
            remaining,
            fraction_used,
            breached: now > due,
        }
    }

    /// Returns the working intervals of one local date, as written in the
    /// configuration: holidays first, then make-up days, then the weekday.
    fn local_intervals(&self, date: NaiveDate) -> &[WorkInterval] {
        if self.holidays.contains(&date) {
            &[]
        } else if self.make_up_days.contains(&date) {
            &self.make_up_hours
        } else {
            &self.week[date.weekday().num_days_from_monday() as usize]
        }
    }

    /// Iterates over the working intervals in UTC from the local date of
    /// `t` on, merged so that they are disjoint and in order. It starts one
    /// local date early, because an interval of that date can end after
    /// midnight when the end time occurs twice.
    fn intervals_from(&self, t: DateTime<Utc>) -> Intervals<'_> {
        let local_date = self.local_date(t);
        let first = local_date.pred_opt().unwrap_or(local_date);
        self.intervals_of_dates(first, MAX_WALK_DAYS)
    }

    /// Iterates over the working intervals in UTC of `days` local dates
    /// from `first` on, merged so that they are disjoint and in order.
    pub(super) fn intervals_of_dates(&self, first: NaiveDate, days: i64) -> Intervals<'_> {
        Intervals {
            calendar: self,
            next_date: Some(first),
            days_left: days,
            pending: Vec::new(),
            pending_index: 0,
            last_end: None,
        }
    }

    /// Returns the local date of the instant `t`.
    pub(super) fn local_date(&self, t: DateTime<Utc>) -> NaiveDate {
        t.with_timezone(&self.time_zone).date_naive()
    }

    /// Converts one local working interval of `date` to UTC, by the rules
    /// in the type's documentation.
    fn to_utc(&self, date: NaiveDate, interval: WorkInterval) -> (DateTime<Utc>, DateTime<Utc>) {
        let start = resolve(
            self.time_zone,
            local_minute(date, interval.start),
            Edge::Start,
        );
        let end = resolve(self.time_zone, local_minute(date, interval.end), Edge::End);
        (start, end.max(start))
    }
}

/// Iterator over a calendar's working intervals in UTC, disjoint and in
/// order, for at most [`MAX_WALK_DAYS`] local dates.
pub(super) struct Intervals<'a> {
    calendar: &'a BusinessCalendar,
    next_date: Option<NaiveDate>,
    days_left: i64,
    /// Intervals of the current date, not yet returned.
    pending: Vec<(DateTime<Utc>, DateTime<Utc>)>,
    pending_index: usize,
    /// End of the last interval returned, so that overlaps are cut off.
    last_end: Option<DateTime<Utc>>,
}

impl Iterator for Intervals<'_> {
    type Item = (DateTime<Utc>, DateTime<Utc>);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            while let Some(&(start, end)) = self.pending.get(self.pending_index) {
                self.pending_index += 1;
                let start = match self.last_end {
                    Some(last_end) => start.max(last_end),
                    None => start,
                };
                if end > start {
                    self.last_end = Some(end);
                    return Some((start, end));
                }
            }

            if self.days_left == 0 {
                return None;
            }
            let date = self.next_date?;
            self.days_left -= 1;
            self.next_date = date.succ_opt();
            self.pending.clear();
            self.pending_index = 0;
            let calendar = self.calendar;
            self.pending.extend(
                calendar
                    .local_intervals(date)
                    .iter()
                    .map(|&interval| calendar.to_utc(date, interval)),
            );
        }
    }
}

/// Which end of an interval a local time is, which decides how a time that
/// occurs twice is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Edge {
    Start,
    End,
}

/// Returns the local date and time `minute` minutes after midnight of
/// `date`; minute 1440 is midnight of the next date.
fn local_minute(date: NaiveDate, minute: u16) -> NaiveDateTime {
    date.and_time(NaiveTime::MIN) + Duration::minutes(i64::from(minute))
}

/// Converts a local wall-clock time to UTC. A time that occurs twice gives
/// its first occurrence for [`Edge::Start`] and its second for
/// [`Edge::End`]. A skipped time gives the instant the clocks jumped.
fn resolve(time_zone: Tz, local: NaiveDateTime, edge: Edge) -> DateTime<Utc> {
    match time_zone.from_local_datetime(&local) {
        LocalResult::Single(time) => time.with_timezone(&Utc),
        LocalResult::Ambiguous(first, second) => match edge {
            Edge::Start => first.with_timezone(&Utc),
            Edge::End => second.with_timezone(&Utc),
        },
        LocalResult::None => end_of_gap(time_zone, local),
    }
}

/// Returns the instant at which the clocks jumped over the skipped local
/// time `local`, found as the first local minute after it that exists.
/// Gaps in current IANA rules end on whole minutes and last at most a day
/// (Pacific/Apia skipped 2011-12-30 entirely), so 48 hours of minutes are
/// enough. For an older gap that ends between minutes, the result is up to a
/// minute late.
fn end_of_gap(time_zone: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    let mut probe = local;
    for _ in 0..48 * 60 {
        probe += Duration::minutes(1);
        match time_zone.from_local_datetime(&probe) {
            LocalResult::Single(time) | LocalResult::Ambiguous(time, _) => {
                return time.with_timezone(&Utc);
            }
            LocalResult::None => {}
        }
    }
    // Unreachable with real time-zone data, which has no gap longer than a
    // day. Read the digits with the offset in effect at the same UTC digits.
    let offset = time_zone.offset_from_utc_datetime(&local).fix();
    let seconds = i64::from(offset.local_minus_utc());
    Utc.from_utc_datetime(&(local - Duration::seconds(seconds)))
}

/// Converts a duration to seconds as a float, for ratios.
fn seconds(duration: Duration) -> f64 {
    duration.num_milliseconds() as f64 / 1000.0
}
