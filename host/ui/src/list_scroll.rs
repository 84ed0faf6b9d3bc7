//! Scroll state of a list whose rows all have one height, so that its view
//! builds only the rows in view plus a margin, with an empty space of the
//! right height above and below them.

use std::ops::Range;

/// Height of a list's view until its scrollable reports the real one, in
/// logical pixels: that of a 3840x2160 screen at scale 1, so the rows
/// built fill the view on screens up to that height. iced 0.14's
/// scrollable reports no view whose content fits, so a short list keeps
/// this height.
pub const INITIAL_VIEWPORT_HEIGHT: f32 = 2160.0;

/// Scroll offset and view height of one list, in logical pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ListScroll {
    row_height: f32,
    offset: f32,
    viewport_height: f32,
}

impl ListScroll {
    /// Creates the state of a list scrolled to the top. `viewport_height`
    /// is assumed until the scrollable reports the real one.
    pub const fn new(row_height: f32, viewport_height: f32) -> Self {
        Self {
            row_height,
            offset: 0.0,
            viewport_height,
        }
    }

    /// Records the offset and view height that the scrollable reported.
    /// A height of zero, as before the first layout, keeps the last one.
    pub fn scrolled(&mut self, offset: f32, viewport_height: f32) {
        self.offset = offset.max(0.0);
        if viewport_height > 0.0 {
            self.viewport_height = viewport_height;
        }
    }

    /// Returns the offset of the top edge, no further than the last full
    /// view of `total` rows, so a list that shrank shows its end.
    pub fn offset(&self, total: usize) -> f32 {
        let last = (total as f32 * self.row_height - self.viewport_height).max(0.0);
        self.offset.min(last)
    }

    /// Returns the positions of the rows in view out of `total`.
    pub fn visible_range(&self, total: usize) -> Range<usize> {
        let first = ((self.offset(total) / self.row_height).floor() as usize).min(total);
        // One more row than fits, because the first and last may be cut.
        let count = (self.viewport_height / self.row_height).ceil() as usize + 1;
        first..first.saturating_add(count).min(total)
    }

    /// Returns the positions of the rows to build: the visible ones and
    /// `overscan` more on each side.
    pub fn built_range(&self, total: usize, overscan: usize) -> Range<usize> {
        let visible = self.visible_range(total);
        visible.start.saturating_sub(overscan)..visible.end.saturating_add(overscan).min(total)
    }

    /// Moves the offset by the least amount that shows the whole row at
    /// `position`. Returns the new offset, or `None` when the row was
    /// already in view.
    pub fn reveal(&mut self, position: usize, total: usize) -> Option<f32> {
        let current = self.offset(total);
        let top = position as f32 * self.row_height;
        let bottom = top + self.row_height;
        let offset = if top < current {
            top
        } else if bottom > current + self.viewport_height {
            (bottom - self.viewport_height).max(0.0)
        } else {
            return None;
        };
        self.offset = offset;
        Some(offset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scroll() -> ListScroll {
        ListScroll::new(50.0, 400.0)
    }

    #[test]
    fn visible_range_at_top() {
        assert_eq!(scroll().visible_range(1_000), 0..9);
    }

    #[test]
    fn visible_range_of_short_list() {
        assert_eq!(scroll().visible_range(3), 0..3);
        assert_eq!(scroll().visible_range(0), 0..0);
    }

    #[test]
    fn offset_past_end_shows_last_rows() {
        let mut scroll = scroll();
        scroll.scrolled(50.0 * 900.0, 400.0);
        assert_eq!(scroll.offset(100), 50.0 * 100.0 - 400.0);
        assert_eq!(scroll.visible_range(100), 92..100);
    }

    #[test]
    fn built_range_adds_overscan() {
        let mut scroll = scroll();
        scroll.scrolled(50.0 * 100.0 + 10.0, 400.0);
        assert_eq!(scroll.visible_range(1_000), 100..109);
        assert_eq!(scroll.built_range(1_000, 5), 95..114);
        assert_eq!(scroll.built_range(110, 5), 95..110);
    }

    #[test]
    fn zero_height_keeps_last_height() {
        let mut scroll = scroll();
        scroll.scrolled(0.0, 0.0);
        assert_eq!(scroll.visible_range(1_000), 0..9);
    }

    #[test]
    fn reveal_row_below_view() {
        let mut scroll = scroll();
        assert_eq!(scroll.reveal(20, 1_000), Some(21.0 * 50.0 - 400.0));
        assert_eq!(scroll.visible_range(1_000).end, 22);
        assert!(scroll.visible_range(1_000).contains(&20));
    }

    #[test]
    fn reveal_row_above_view() {
        let mut scroll = scroll();
        scroll.scrolled(50.0 * 300.0, 400.0);
        assert_eq!(scroll.reveal(12, 1_000), Some(50.0 * 12.0));
        assert_eq!(scroll.visible_range(1_000).start, 12);
    }

    #[test]
    fn reveal_row_in_view_keeps_offset() {
        let mut scroll = scroll();
        scroll.scrolled(100.0, 400.0);
        assert_eq!(scroll.reveal(3, 1_000), None);
        assert_eq!(scroll.offset(1_000), 100.0);
    }
}
