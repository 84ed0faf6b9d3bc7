//! Axes: categories at whole-number positions, and value ranges.

use std::ops::Range;

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};

/// An axis of `count` categories. Category `i` is centred on the value
/// `i`, and the axis runs from -0.5 to `count - 0.5`, so each category owns
/// a band one unit wide.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CategoryAxis {
    pub count: usize,
}

impl CategoryAxis {
    /// Index of the category at `position`, if the position is on the axis.
    pub fn index(&self, position: f64) -> Option<usize> {
        let index = position.round();
        (index >= 0.0 && index < self.count as f64).then_some(index as usize)
    }
}

impl Ranged for CategoryAxis {
    // Labels come from a formatter that maps positions to category names.
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let fraction = (value + 0.5) / self.count as f64;
        let span = f64::from(limit.1 - limit.0);
        limit.0 + (fraction * span).round() as i32
    }

    /// Returns category centres, every category when the hint allows that
    /// many points and every n-th category otherwise.
    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        let max_points = hint.max_num_points();
        if max_points == 0 || self.count == 0 {
            return Vec::new();
        }
        let step = self.count.div_ceil(max_points);
        (0..self.count)
            .step_by(step)
            .map(|index| index as f64)
            .collect()
    }

    fn range(&self) -> Range<f64> {
        -0.5..self.count as f64 - 0.5
    }
}

/// Range of a value axis that shows every value in `values`, with 5 %
/// headroom on each side away from zero. With `include_zero`, the range
/// also reaches 0, as bars start there. A single repeated value gets a
/// range of one unit around it.
pub(crate) fn value_range(values: impl Iterator<Item = f64>, include_zero: bool) -> Range<f64> {
    let (mut low, mut high) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(low, high), v| {
        (low.min(v), high.max(v))
    });
    if low > high {
        // No values: validation rejects such charts, so any range will do.
        return 0.0..1.0;
    }
    if include_zero {
        low = low.min(0.0);
        high = high.max(0.0);
    }
    if low == high {
        return low - 0.5..high + 0.5;
    }

    let headroom = (high - low) * 0.05;
    if high > 0.0 || !include_zero {
        high += headroom;
    }
    if low < 0.0 || !include_zero {
        low -= headroom;
    }
    low..high
}

#[cfg(test)]
mod tests {
    use plotters::coord::ranged1d::BoldPoints;

    use super::*;

    #[test]
    fn category_axis_maps_centres() {
        let axis = CategoryAxis { count: 4 };
        assert_eq!(axis.map(&-0.5, (0, 400)), 0);
        assert_eq!(axis.map(&0.0, (0, 400)), 50);
        assert_eq!(axis.map(&3.0, (0, 400)), 350);
        assert_eq!(axis.map(&3.5, (0, 400)), 400);
    }

    #[test]
    fn category_axis_thins_key_points() {
        let axis = CategoryAxis { count: 30 };
        assert_eq!(axis.key_points(BoldPoints(30)).len(), 30);
        assert_eq!(
            axis.key_points(BoldPoints(10)),
            vec![0.0, 3.0, 6.0, 9.0, 12.0, 15.0, 18.0, 21.0, 24.0, 27.0]
        );
        assert!(axis.key_points(BoldPoints(0)).is_empty());
    }

    #[test]
    fn category_axis_index_rounds() {
        let axis = CategoryAxis { count: 3 };
        assert_eq!(axis.index(1.2), Some(1));
        assert_eq!(axis.index(-0.7), None);
        assert_eq!(axis.index(2.6), None);
    }

    #[test]
    fn value_range_includes_zero_for_bars() {
        let range = value_range([3.0, 10.0].into_iter(), true);
        assert_eq!(range.start, 0.0);
        assert!((range.end - 10.5).abs() < 1e-9);

        let negative = value_range([-4.0, -2.0].into_iter(), true);
        assert!((negative.start + 4.2).abs() < 1e-9);
        assert_eq!(negative.end, 0.0);
    }

    #[test]
    fn value_range_pads_lines() {
        let range = value_range([10.0, 20.0].into_iter(), false);
        assert!((range.start - 9.5).abs() < 1e-9);
        assert!((range.end - 20.5).abs() < 1e-9);
    }

    #[test]
    fn value_range_widens_single_value() {
        assert_eq!(value_range([7.0, 7.0].into_iter(), false), 6.5..7.5);
        assert_eq!(value_range([0.0].into_iter(), true), -0.5..0.5);
    }
}
