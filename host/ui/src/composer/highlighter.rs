//! Highlighting of the placeholders without a value in the draft editor.

use std::ops::Range;

use iced::Theme;
use iced::advanced::text::highlighter::{Format, Highlighter};
use kefu_core::phrases::unfilled;

/// Marks every `[name?]` marker and `{{name}}` placeholder of a known name
/// in each line of the draft. Lines are independent, so a changed line
/// needs no state from the lines before it.
#[derive(Debug)]
pub struct UnfilledHighlighter {
    /// Index of the next line to highlight.
    current_line: usize,
}

impl Highlighter for UnfilledHighlighter {
    type Settings = ();
    type Highlight = ();
    type Iterator<'a> = std::vec::IntoIter<(Range<usize>, ())>;

    fn new(_settings: &Self::Settings) -> Self {
        Self { current_line: 0 }
    }

    fn update(&mut self, _new_settings: &Self::Settings) {
        self.current_line = 0;
    }

    fn change_line(&mut self, line: usize) {
        self.current_line = self.current_line.min(line);
    }

    fn highlight_line(&mut self, line: &str) -> Self::Iterator<'_> {
        self.current_line += 1;
        unfilled(line)
            .into_iter()
            .map(|placeholder| (placeholder.range, ()))
            .collect::<Vec<_>>()
            .into_iter()
    }

    fn current_line(&self) -> usize {
        self.current_line
    }
}

/// Draws an unfilled placeholder in the theme's danger colour.
pub fn format(_highlight: &(), theme: &Theme) -> Format<iced::Font> {
    Format {
        color: Some(theme.extended_palette().danger.base.color),
        font: None,
    }
}
