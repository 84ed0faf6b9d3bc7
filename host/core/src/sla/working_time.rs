//! A precomputed table of a calendar's working intervals, for callers that
//! measure the working time of many spans in the same range of dates, such
//! as the reports' business-hours durations of every ticket.

use chrono::{DateTime, Days, Duration, Utc};

use super::calendar::{BusinessCalendar, MAX_WALK_DAYS};

/// Local dates the table adds before and after the dates of its range.
/// When clocks fall back across midnight, a later instant can have the
/// local date before that of an earlier one. [`BusinessCalendar::between`]
/// also starts its walk one date before the local date of its start. Two
/// dates on each side cover both.
const MARGIN_DAYS: u64 = 2;

/// The merged working intervals of a [`BusinessCalendar`] over a range of
/// instants, with the working time before each interval. Its
/// [`between`](Self::between) returns exactly what
/// [`BusinessCalendar::between`] returns, in two binary searches instead of
/// a walk over every day of the span.
#[derive(Debug, Clone)]
pub struct WorkingTimeTable<'a> {
    calendar: &'a BusinessCalendar,
    /// Working intervals in UTC, disjoint and in order, merged the way the
    /// calendar's walk merges them.
    intervals: Vec<(DateTime<Utc>, DateTime<Utc>)>,
    /// Working time of all intervals before each one.
    before: Vec<Duration>,
    /// The range `[covered_from, covered_to]` that both ends of a span must
    /// lie in for the table to compute it. Other spans are walked.
    covered_from: DateTime<Utc>,
    covered_to: DateTime<Utc>,
    /// `covered_from` and `covered_to` in Unix seconds, when both are whole
    /// seconds.
    covered_seconds: Option<(i64, i64)>,
    /// The intervals in Unix seconds, with an index by UTC day, when every
    /// interval starts and ends on a whole second.
    seconds: Option<SecondsIndex>,
}

/// [`WorkingTimeTable`]'s intervals in Unix seconds, for spans between
/// whole seconds. A report measures hundreds of thousands of them, and an
/// index by day finds an interval in a step or two where a binary search
/// over the table takes about ten.
#[derive(Debug, Clone)]
struct SecondsIndex {
    starts: Vec<i64>,
    ends: Vec<i64>,
    /// Working seconds of all intervals before each one.
    before: Vec<i64>,
    /// The UTC day (Unix seconds divided by 86,400) of `first_interval[0]`.
    first_day: i64,
    /// For each UTC day from `first_day` on, the number of intervals that
    /// start before the day.
    first_interval: Vec<usize>,
}

impl SecondsIndex {
    /// Builds the index, or returns `None` when an interval has a fraction
    /// of a second.
    fn new(intervals: &[(DateTime<Utc>, DateTime<Utc>)]) -> Option<Self> {
        let whole = |time: &DateTime<Utc>| time.timestamp_subsec_nanos() == 0;
        if intervals
            .iter()
            .any(|(start, end)| !whole(start) || !whole(end))
        {
            return None;
        }

        let starts: Vec<i64> = intervals
            .iter()
            .map(|(start, _)| start.timestamp())
            .collect();
        let ends: Vec<i64> = intervals.iter().map(|(_, end)| end.timestamp()).collect();

        let mut before = Vec::with_capacity(starts.len());
        let mut total = 0;
        for (start, end) in starts.iter().zip(&ends) {
            before.push(total);
            total += end - start;
        }

        let (Some(first), Some(last)) = (starts.first(), starts.last()) else {
            return None;
        };
        let first_day = first.div_euclid(86_400);
        let last_day = last.div_euclid(86_400);
        let first_interval = (first_day..=last_day + 1)
            .map(|day| starts.partition_point(|&start| start < day * 86_400))
            .collect();

        Some(Self {
            starts,
            ends,
            before,
            first_day,
            first_interval,
        })
    }

    /// Returns the working seconds of the intervals before `t`, as
    /// [`WorkingTimeTable::working_before`] does.
    fn working_before(&self, t: i64) -> i64 {
        // The number of intervals that start at or before `t`: those before
        // its day, plus those of its day up to `t`.
        let day = t.div_euclid(86_400) - self.first_day;
        let mut after = match usize::try_from(day) {
            Err(_) => 0,
            Ok(day) => match self.first_interval.get(day) {
                Some(&count) => count,
                None => self.starts.len(),
            },
        };
        while after < self.starts.len() && self.starts[after] <= t {
            after += 1;
        }

        let Some(index) = after.checked_sub(1) else {
            return 0;
        };
        self.before[index] + (t.min(self.ends[index]) - self.starts[index])
    }
}

impl BusinessCalendar {
    /// Builds a [`WorkingTimeTable`] for spans with both ends from `from`
    /// to `to`. Its size and build time grow with the number of days from
    /// `from` to `to`: two local-time conversions per working interval.
    /// A table whose range is empty or longer than [`MAX_WALK_DAYS`] covers
    /// no span, so it walks every one.
    pub fn working_time_table(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> WorkingTimeTable<'_> {
        let mut table = WorkingTimeTable {
            calendar: self,
            intervals: Vec::new(),
            before: Vec::new(),
            covered_from: from,
            covered_to: to,
            covered_seconds: None,
            seconds: None,
        };

        // Local dates exist for instants at least a day inside chrono's
        // range, because UTC offsets are below a day.
        let margin = Duration::days(MARGIN_DAYS as i64 + 1);
        let inside =
            from.checked_sub_signed(margin).is_some() && to.checked_add_signed(margin).is_some();
        if to < from || !inside || (to - from).num_days() > MAX_WALK_DAYS {
            table.cover_nothing();
            return table;
        }

        let first = self.local_date(from) - Days::new(MARGIN_DAYS);
        let last = self.local_date(to) + Days::new(MARGIN_DAYS);
        let days = (last - first).num_days() + 1;
        let mut total = Duration::zero();
        for (start, end) in self.intervals_of_dates(first, days) {
            table.intervals.push((start, end));
            table.before.push(total);
            total += end - start;
        }

        table.seconds = SecondsIndex::new(&table.intervals);
        if from.timestamp_subsec_nanos() == 0 && to.timestamp_subsec_nanos() == 0 {
            table.covered_seconds = Some((from.timestamp(), to.timestamp()));
        }
        table
    }
}

impl WorkingTimeTable<'_> {
    /// Computes the working time in `[a, b)`, zero when `b <= a`, as
    /// [`BusinessCalendar::between`] does. Spans outside the table's range
    /// are walked day by day.
    pub fn between(&self, a: DateTime<Utc>, b: DateTime<Utc>) -> Duration {
        if b <= a {
            return Duration::zero();
        }
        if a < self.covered_from || b > self.covered_to {
            return self.calendar.between(a, b);
        }
        if let Some(seconds) = &self.seconds
            && a.timestamp_subsec_nanos() == 0
            && b.timestamp_subsec_nanos() == 0
        {
            let working =
                seconds.working_before(b.timestamp()) - seconds.working_before(a.timestamp());
            return Duration::seconds(working);
        }
        self.working_before(b) - self.working_before(a)
    }

    /// Computes the working seconds in `[a, b)` for Unix seconds `a` and
    /// `b`, as `between(a, b).num_seconds()` does, without converting to
    /// `DateTime` inside the table's range.
    pub fn seconds_between(&self, a: i64, b: i64) -> i64 {
        if b <= a {
            return 0;
        }
        if let Some(seconds) = &self.seconds
            && let Some((covered_from, covered_to)) = self.covered_seconds
            && covered_from <= a
            && b <= covered_to
        {
            return seconds.working_before(b) - seconds.working_before(a);
        }
        let time = |seconds: i64| DateTime::from_timestamp(seconds, 0).unwrap_or_default();
        self.between(time(a), time(b)).num_seconds()
    }

    /// Returns the working time of the table's intervals before `t`.
    fn working_before(&self, t: DateTime<Utc>) -> Duration {
        let after = self.intervals.partition_point(|(start, _)| *start <= t);
        let Some(index) = after.checked_sub(1) else {
            return Duration::zero();
        };
        let (start, end) = self.intervals[index];
        self.before[index] + (t.min(end) - start)
    }

    /// Makes every span fall outside the table, for ranges it cannot hold.
    fn cover_nothing(&mut self) {
        self.covered_from = DateTime::<Utc>::MAX_UTC;
        self.covered_to = DateTime::<Utc>::MIN_UTC;
    }
}
