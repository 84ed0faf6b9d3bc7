//! Outlines of the values drawn in a chart image, for hit-testing clicks.

use std::f64::consts::TAU;

/// Outline of one drawn value, in pixels of the whole image with the
/// origin at the top left.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Shape {
    /// A bar or a heatmap cell, edges included.
    Rect {
        left: i32,
        top: i32,
        right: i32,
        bottom: i32,
    },
    /// A line-chart point and the disc around it that counts as a hit.
    Disc { center: (i32, i32), radius: f64 },
    /// A pie slice: `sweep` radians from `start`, measured clockwise from
    /// 3 o'clock because the y axis points down.
    Sector {
        center: (i32, i32),
        radius: f64,
        start: f64,
        sweep: f64,
    },
}

impl Shape {
    /// Returns a pixel inside the shape: the middle of a rectangle, the
    /// centre of a disc, or the point halfway out along the middle of a
    /// sector.
    pub fn interior_point(&self) -> (f32, f32) {
        match *self {
            Shape::Rect {
                left,
                top,
                right,
                bottom,
            } => ((left + right) as f32 / 2.0, (top + bottom) as f32 / 2.0),
            Shape::Disc { center, .. } => (center.0 as f32, center.1 as f32),
            Shape::Sector {
                center,
                radius,
                start,
                sweep,
            } => {
                let (sin, cos) = (start + sweep / 2.0).sin_cos();
                (
                    (f64::from(center.0) + radius / 2.0 * cos) as f32,
                    (f64::from(center.1) + radius / 2.0 * sin) as f32,
                )
            }
        }
    }

    /// Returns the distance from `point` to the shape's anchor when the
    /// point is inside the shape: the centre of a disc, 0 for other shapes.
    fn hit_distance(&self, (x, y): (f64, f64)) -> Option<f64> {
        match *self {
            Shape::Rect {
                left,
                top,
                right,
                bottom,
            } => {
                let (left, right) = (left.min(right), left.max(right));
                let (top, bottom) = (top.min(bottom), top.max(bottom));
                let inside = x >= f64::from(left)
                    && x <= f64::from(right)
                    && y >= f64::from(top)
                    && y <= f64::from(bottom);
                inside.then_some(0.0)
            }
            Shape::Disc { center, radius } => {
                let distance = (x - f64::from(center.0)).hypot(y - f64::from(center.1));
                (distance <= radius).then_some(distance)
            }
            Shape::Sector {
                center,
                radius,
                start,
                sweep,
            } => {
                let (dx, dy) = (x - f64::from(center.0), y - f64::from(center.1));
                if dx.hypot(dy) > radius {
                    return None;
                }
                let offset = (dy.atan2(dx) - start).rem_euclid(TAU);
                (offset <= sweep).then_some(0.0)
            }
        }
    }
}

/// One drawn value: the series and category it shows, and its outline.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Region {
    /// Index into the chart's series; 0 for a pie slice.
    pub series: usize,
    /// Index into the chart's categories.
    pub category: usize,
    pub shape: Shape,
}

/// A chart drawn as RGBA pixels, with the outline of every value drawn.
#[derive(Debug, Clone, PartialEq)]
pub struct RenderedChart {
    pub width: u32,
    pub height: u32,
    /// 8-bit RGBA pixels, row by row from the top, fully opaque.
    pub rgba: Vec<u8>,
    /// Outlines of the bars, points, slices or cells, in drawing order.
    /// Values that are not drawn, such as pie slices of 0, have none.
    pub regions: Vec<Region>,
}

impl RenderedChart {
    /// Returns the value drawn at pixel position `(x, y)`, if any. Where
    /// line-chart discs overlap, the point whose centre is nearest wins.
    pub fn region_at(&self, x: f32, y: f32) -> Option<&Region> {
        let point = (f64::from(x), f64::from(y));
        self.regions
            .iter()
            .filter_map(|region| Some((region.shape.hit_distance(point)?, region)))
            .min_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, region)| region)
    }
}

#[cfg(test)]
mod tests {
    use std::f64::consts::FRAC_PI_2;

    use super::*;

    #[test]
    fn sector_contains_its_middle_only() {
        // The quarter from 12 o'clock to 3 o'clock.
        let quarter = Shape::Sector {
            center: (100, 100),
            radius: 50.0,
            start: -FRAC_PI_2,
            sweep: FRAC_PI_2,
        };
        assert!(quarter.hit_distance((120.0, 80.0)).is_some());
        assert!(quarter.hit_distance((80.0, 80.0)).is_none());
        assert!(quarter.hit_distance((120.0, 120.0)).is_none());
        assert!(quarter.hit_distance((140.0, 60.0)).is_none());
    }

    #[test]
    fn nearest_disc_wins() {
        let disc = |category, x| Region {
            series: 0,
            category,
            shape: Shape::Disc {
                center: (x, 50),
                radius: 8.0,
            },
        };
        let chart = RenderedChart {
            width: 100,
            height: 100,
            rgba: Vec::new(),
            regions: vec![disc(0, 40), disc(1, 50)],
        };
        assert_eq!(chart.region_at(47.0, 50.0).map(|r| r.category), Some(1));
        assert_eq!(chart.region_at(42.0, 50.0).map(|r| r.category), Some(0));
        assert_eq!(chart.region_at(70.0, 50.0), None);
    }
}
