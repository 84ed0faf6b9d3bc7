//! Average, median and 90th percentile of durations.

use serde::Serialize;

/// Summary of a set of durations, in seconds. Every statistic is `None`
/// for an empty set.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct DurationStats {
    pub count: u64,
    pub average: Option<f64>,
    /// The middle value, or the mean of the two middle values for an even
    /// count.
    pub median: Option<f64>,
    /// The nearest-rank 90th percentile: the smallest value with at least
    /// 90% of the values at or below it.
    pub p90: Option<f64>,
}

impl DurationStats {
    /// Summarises `seconds`, which it reorders in place. The median and
    /// the 90th percentile come from selections, which take linear time
    /// where a sort takes `n log n`.
    pub fn of(seconds: &mut [i64]) -> Self {
        if seconds.is_empty() {
            return Self::default();
        }
        let count = seconds.len();
        let sum: i128 = seconds.iter().map(|value| i128::from(*value)).sum();
        let middle = count / 2;
        // After the selection, the values before `middle` are at most the
        // value at `middle` and those after it at least that value.
        let (lower, &mut middle_value, upper) = seconds.select_nth_unstable(middle);
        let median = if count % 2 == 1 {
            middle_value as f64
        } else {
            let below = lower.iter().copied().max().unwrap_or(middle_value);
            (below as f64 + middle_value as f64) / 2.0
        };
        // Nearest rank: ceil(0.9 * n), counted from 1. It is never below
        // the middle, so it is the middle value or lies in `upper`.
        let rank = (count * 9).div_ceil(10);
        let p90 = match (rank - 1).checked_sub(middle + 1) {
            None => middle_value,
            Some(index) => *upper.select_nth_unstable(index).1,
        };
        Self {
            count: count as u64,
            average: Some(sum as f64 / count as f64),
            median: Some(median),
            p90: Some(p90 as f64),
        }
    }
}
