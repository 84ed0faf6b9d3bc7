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
        self.working_before(b) - self.working_before(a)
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
