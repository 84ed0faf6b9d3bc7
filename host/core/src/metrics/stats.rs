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
    /// Summarises `seconds`, which it sorts in place.
    pub fn of(seconds: &mut [i64]) -> Self {
        if seconds.is_empty() {
            return Self::default();
        }
        seconds.sort_unstable();
        let count = seconds.len();
        let sum: i128 = seconds.iter().map(|value| i128::from(*value)).sum();
        let middle = count / 2;
        let median = if count % 2 == 1 {
            seconds[middle] as f64
        } else {
            (seconds[middle - 1] as f64 + seconds[middle] as f64) / 2.0
        };
        // Nearest rank: ceil(0.9 * n), counted from 1.
        let rank = (count * 9).div_ceil(10);
        Self {
            count: count as u64,
            average: Some(sum as f64 / count as f64),
            median: Some(median),
            p90: Some(seconds[rank - 1] as f64),
        }
    }
}
