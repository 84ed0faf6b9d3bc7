//! Page layout of the PDF report: text measurement, line wrapping and
//! tables that continue across pages with their header repeated.
//!
//! Lengths are PDF points (1/72 inch). The origin is the page's top-left
//! corner and y grows downwards, as in krilla. A text's y is its baseline.

use crate::export::Progress;

/// Page size: A4 landscape, in points.
pub const PAGE_WIDTH: f32 = 842.0;
pub const PAGE_HEIGHT: f32 = 595.0;
pub const MARGIN: f32 = 36.0;
/// Space kept free at the bottom of every page for the page number.
pub const FOOTER_HEIGHT: f32 = 20.0;

pub const BODY_SIZE: f32 = 8.0;
pub const HEADER_KEY_SIZE: f32 = 6.0;
pub const HEADING_SIZE: f32 = 14.0;
/// Line height as a multiple of the font size.
const LINE_SPACING: f32 = 1.3;
const CELL_PADDING: f32 = 3.0;
/// Widest a text column grows before its cells wrap.
const MAX_TEXT_COLUMN_WIDTH: f32 = 200.0;
/// Narrowest a text column shrinks to when the table is too wide.
const MIN_TEXT_COLUMN_WIDTH: f32 = 50.0;
/// Narrowest a number column gets, so that short headers still fit.
const MIN_NUMBER_COLUMN_WIDTH: f32 = 64.0;

pub const BLACK: Color = Color(0, 0, 0);
pub const GREY: Color = Color(0x59, 0x59, 0x59);
const HEADER_FILL: Color = Color(0xD9, 0xE1, 0xF2);
const STRIPE_FILL: Color = Color(0xF2, 0xF2, 0xF2);

/// An sRGB colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Color(pub u8, pub u8, pub u8);

/// One drawing operation on a page.
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    /// One line of text starting at `x` with its baseline at `y`.
    Text {
        x: f32,
        y: f32,
        size: f32,
        color: Color,
        text: String,
    },
    /// A filled rectangle.
    Rect {
        x: f32,
        y: f32,
        width: f32,
        height: f32,
        color: Color,
    },
    /// Chart `index` of the document's chart list, scaled into the box.
    Chart {
        index: usize,
        x: f32,
        y: f32,
        width: f32,
        height: f32,
    },
}

/// Widths of text in the embedded font.
pub struct TextMeasure<'a> {
    face: ttf_parser::Face<'a>,
}

impl<'a> TextMeasure<'a> {
    /// Reads face `index` of the font file `data`.
    pub fn new(data: &'a [u8], index: u32) -> Result<Self, ttf_parser::FaceParsingError> {
        Ok(Self {
            face: ttf_parser::Face::parse(data, index)?,
        })
    }

    /// Returns the advance width of `text` at `size` points. Kerning is
    /// ignored, which slightly overestimates Latin text.
    pub fn width(&self, text: &str, size: f32) -> f32 {
        let units: u32 = text
            .chars()
            .map(|character| {
                let glyph = self
                    .face
                    .glyph_index(character)
                    .unwrap_or(ttf_parser::GlyphId(0));
                u32::from(self.face.glyph_hor_advance(glyph).unwrap_or(0))
            })
            .sum();
        units as f32 * size / f32::from(self.face.units_per_em())
    }

    /// Splits `text` into lines no wider than `width` at `size` points.
    /// Lines break after a space, `_`, `/` or `-`, or around any character
    /// outside ASCII, such as a CJK character. A word wider than `width` is
    /// broken between characters. Returns one empty line for empty text.
    pub fn wrap(&self, text: &str, size: f32, width: f32) -> Vec<String> {
        if self.width(text, size) <= width {
            return vec![text.to_string()];
        }
        let mut lines = Vec::new();
        let mut line = String::new();
        for token in break_tokens(text) {
            let candidate = format!("{line}{token}");
            if self.width(candidate.trim_end(), size) <= width || line.is_empty() {
                line = candidate;
            } else {
                lines.push(line.trim_end().to_string());
                line = token.trim_start().to_string();
            }
            // A single token wider than the line is split by characters.
            while self.width(line.trim_end(), size) > width && line.chars().count() > 1 {
                let split = self.fitting_prefix(&line, size, width);
                lines.push(line[..split].to_string());
                line = line[split..].to_string();
            }
        }
        lines.push(line.trim_end().to_string());
        lines
    }

    /// Returns the byte length of the longest prefix of `text`, at least one
    /// character, that fits in `width`.
    fn fitting_prefix(&self, text: &str, size: f32, width: f32) -> usize {
        let mut end = text.chars().next().map_or(0, char::len_utf8);
        for (index, character) in text.char_indices().skip(1) {
            let next = index + character.len_utf8();
            if self.width(&text[..next], size) > width {
                break;
            }
            end = next;
        }
        end
    }
}

/// Splits text after each break opportunity: a space, `_`, `/` or `-`, and
/// around every character outside ASCII, so CJK text breaks anywhere.
fn break_tokens(text: &str) -> Vec<&str> {
    let mut tokens = Vec::new();
    let mut start = 0;
    for (index, character) in text.char_indices() {
        let end = index + character.len_utf8();
        if !character.is_ascii() {
            if start < index {
                tokens.push(&text[start..index]);
            }
            tokens.push(&text[index..end]);
            start = end;
        } else if matches!(character, ' ' | '_' | '/' | '-') {
            tokens.push(&text[start..end]);
            start = end;
        }
    }
    if start < text.len() {
        tokens.push(&text[start..]);
    }
    tokens
}

/// Horizontal alignment of a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// Text, which wraps.
    Left,
    /// Numbers.
    Right,
}

/// One column of a table: a Chinese label above the English key.
pub struct Column {
    pub label: String,
    pub key: String,
    pub align: Align,
}

/// A table with a bilingual heading.
pub struct Table {
    pub heading: String,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<String>>,
}

/// Pages laid out so far, and the position on the last one.
pub struct Layout<'a, 'b> {
    measure: &'a TextMeasure<'a>,
    pub pages: Vec<Vec<Op>>,
    /// Top of the free space on the last page.
    y: f32,
    progress: &'a mut Progress<'b>,
}

impl<'a, 'b> Layout<'a, 'b> {
    pub fn new(measure: &'a TextMeasure<'a>, progress: &'a mut Progress<'b>) -> Self {
        Self {
            measure,
            pages: Vec::new(),
            y: PAGE_HEIGHT,
            progress,
        }
    }

    /// Starts a new page and returns its operation list.
    pub fn new_page(&mut self) -> &mut Vec<Op> {
        self.pages.push(Vec::new());
        self.y = MARGIN;
        self.pages.last_mut().expect("a page was just added")
    }

    /// Bottom of the space for content on every page.
    fn bottom() -> f32 {
        PAGE_HEIGHT - MARGIN - FOOTER_HEIGHT
    }

    fn content_width() -> f32 {
        PAGE_WIDTH - 2.0 * MARGIN
    }

    fn ops(&mut self) -> &mut Vec<Op> {
        if self.pages.is_empty() {
            self.new_page();
        }
        self.pages.last_mut().expect("a page exists")
    }

    /// Adds text at the current position, wrapped to the content width, and
    /// moves below it.
    pub fn paragraph(&mut self, text: &str, size: f32, color: Color) {
        let line_height = size * LINE_SPACING;
        for line in self.measure.wrap(text, size, Self::content_width()) {
            if self.y + line_height > Self::bottom() {
                self.new_page();
            }
            let y = self.y + size;
            self.ops().push(Op::Text {
                x: MARGIN,
                y,
                size,
                color,
                text: line,
            });
            self.y += line_height;
        }
    }

    /// Adds vertical space.
    pub fn space(&mut self, height: f32) {
        self.y += height;
    }

    /// Adds a chart of the content width and `height`, on a new page when
    /// it does not fit on this one.
    pub fn chart(&mut self, index: usize, height: f32) {
        if self.pages.is_empty() || self.y + height > Self::bottom() {
            self.new_page();
        }
        let y = self.y;
        self.ops().push(Op::Chart {
            index,
            x: MARGIN,
            y,
            width: Self::content_width(),
            height,
        });
        self.y += height;
    }

    /// Adds a table: its heading, the column headers and every row. The
    /// table continues on as many pages as it needs, each starting with
    /// the heading marked as continued and the column headers.
    pub fn table(&mut self, table: &Table) {
        let widths = self.column_widths(table);
        let header = self.header_cells(table, &widths);
        let header_height = header
            .iter()
            .map(|(label, key)| {
                label.len() as f32 * BODY_SIZE * LINE_SPACING
                    + key.len() as f32 * HEADER_KEY_SIZE * LINE_SPACING
            })
            .fold(0.0, f32::max)
            + 2.0 * CELL_PADDING;
        let heading_height = HEADING_SIZE * LINE_SPACING + 4.0;
        let min_row_height = BODY_SIZE * LINE_SPACING + 2.0 * CELL_PADDING;

        // Start on a new page unless the heading, the header and two rows fit.
        if self.pages.is_empty()
            || self.y + heading_height + header_height + 2.0 * min_row_height > Self::bottom()
        {
            self.new_page();
        } else {
            self.space(10.0);
        }
        self.table_heading(&table.heading);
        self.table_header(&header, &widths, header_height);

        for (index, row) in table.rows.iter().enumerate() {
            let cells: Vec<Vec<String>> = row
                .iter()
                .zip(&table.columns)
                .zip(&widths)
                .map(|((text, column), width)| match column.align {
                    Align::Left => self
                        .measure
                        .wrap(text, BODY_SIZE, width - 2.0 * CELL_PADDING),
                    Align::Right => vec![text.clone()],
                })
                .collect();
            let lines = cells.iter().map(Vec::len).max().unwrap_or(1);
            let height = lines as f32 * BODY_SIZE * LINE_SPACING + 2.0 * CELL_PADDING;
            if self.y + height > Self::bottom() {
                self.new_page();
                self.table_heading(&format!("{}（续 continued）", table.heading));
                self.table_header(&header, &widths, header_height);
            }
            self.table_row(&cells, &table.columns, &widths, height, index % 2 == 1);
            self.progress.advance(1);
        }
        if table.rows.is_empty() {
            self.paragraph("无 none", BODY_SIZE, GREY);
        }
    }

    fn table_heading(&mut self, heading: &str) {
        let y = self.y + HEADING_SIZE;
        self.ops().push(Op::Text {
            x: MARGIN,
            y,
            size: HEADING_SIZE,
            color: BLACK,
            text: heading.to_string(),
        });
        self.y += HEADING_SIZE * LINE_SPACING + 4.0;
    }

    /// Returns each column's header lines: the wrapped label and key.
    fn header_cells(&self, table: &Table, widths: &[f32]) -> Vec<(Vec<String>, Vec<String>)> {
        table
            .columns
            .iter()
            .zip(widths)
            .map(|(column, width)| {
                let inner = width - 2.0 * CELL_PADDING;
                (
                    self.measure.wrap(&column.label, BODY_SIZE, inner),
                    self.measure.wrap(&column.key, HEADER_KEY_SIZE, inner),
                )
            })
            .collect()
    }

    fn table_header(&mut self, header: &[(Vec<String>, Vec<String>)], widths: &[f32], height: f32) {
        let top = self.y;
        let total: f32 = widths.iter().sum();
        let mut ops = vec![Op::Rect {
            x: MARGIN,
            y: top,
            width: total,
            height,
            color: HEADER_FILL,
        }];
        let mut x = MARGIN;
        for ((label, key), width) in header.iter().zip(widths) {
            let mut y = top + CELL_PADDING;
            for line in label {
                ops.push(Op::Text {
                    x: x + CELL_PADDING,
                    y: y + BODY_SIZE,
                    size: BODY_SIZE,
                    color: BLACK,
                    text: line.clone(),
                });
                y += BODY_SIZE * LINE_SPACING;
            }
            for line in key {
                ops.push(Op::Text {
                    x: x + CELL_PADDING,
                    y: y + HEADER_KEY_SIZE,
                    size: HEADER_KEY_SIZE,
                    color: GREY,
                    text: line.clone(),
                });
                y += HEADER_KEY_SIZE * LINE_SPACING;
            }
            x += width;
        }
        self.ops().extend(ops);
        self.y += height;
    }

    fn table_row(
        &mut self,
        cells: &[Vec<String>],
        columns: &[Column],
        widths: &[f32],
        height: f32,
        striped: bool,
    ) {
        let top = self.y;
        let mut ops = Vec::new();
        if striped {
            ops.push(Op::Rect {
                x: MARGIN,
                y: top,
                width: widths.iter().sum(),
                height,
                color: STRIPE_FILL,
            });
        }
        let mut x = MARGIN;
        for ((lines, column), width) in cells.iter().zip(columns).zip(widths) {
            let mut y = top + CELL_PADDING + BODY_SIZE;
            for line in lines {
                let text_x = match column.align {
                    Align::Left => x + CELL_PADDING,
                    Align::Right => x + width - CELL_PADDING - self.measure.width(line, BODY_SIZE),
                };
                ops.push(Op::Text {
                    x: text_x,
                    y,
                    size: BODY_SIZE,
                    color: BLACK,
                    text: line.clone(),
                });
                y += BODY_SIZE * LINE_SPACING;
            }
            x += width;
        }
        self.ops().extend(ops);
        self.y += height;
    }

    /// Returns column widths that fit the content width: each column is as
    /// wide as its widest cell, text columns at most
    /// [`MAX_TEXT_COLUMN_WIDTH`]. When the sum is too wide, text columns
    /// shrink, and if that is not enough every column shrinks in proportion.
    fn column_widths(&self, table: &Table) -> Vec<f32> {
        let mut widths: Vec<f32> = table
            .columns
            .iter()
            .enumerate()
            .map(|(index, column)| {
                let cells = table
                    .rows
                    .iter()
                    .map(|row| self.measure.width(&row[index], BODY_SIZE))
                    .fold(0.0, f32::max);
                let label = self.measure.width(&column.label, BODY_SIZE);
                let natural = cells.max(label) + 2.0 * CELL_PADDING;
                match column.align {
                    Align::Left => natural.clamp(MIN_TEXT_COLUMN_WIDTH, MAX_TEXT_COLUMN_WIDTH),
                    Align::Right => natural.max(MIN_NUMBER_COLUMN_WIDTH),
                }
            })
            .collect();

        let available = Self::content_width();
        let total: f32 = widths.iter().sum();
        if total <= available {
            return widths;
        }
        let text_total: f32 = table
            .columns
            .iter()
            .zip(&widths)
            .filter(|(column, _)| column.align == Align::Left)
            .map(|(_, width)| width)
            .sum();
        let excess = total - available;
        if text_total > 0.0 {
            let keep = ((text_total - excess) / text_total).max(0.0);
            for (column, width) in table.columns.iter().zip(widths.iter_mut()) {
                if column.align == Align::Left {
                    *width = (*width * keep).max(MIN_TEXT_COLUMN_WIDTH);
                }
            }
        }
        // NOTE: number cells do not wrap, so a table with more than about a
        // dozen columns can draw a number wider than its scaled column.
        let total: f32 = widths.iter().sum();
        if total > available {
            let scale = available / total;
            for width in &mut widths {
                *width *= scale;
            }
        }
        widths
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn measure(face: &kefu_report::CjkFace) -> TextMeasure<'_> {
        TextMeasure::new(&face.data, face.index).unwrap()
    }

    #[test]
    fn break_tokens_split_cjk_and_keys() {
        assert_eq!(
            break_tokens("first_response_avg_h"),
            ["first_", "response_", "avg_", "h"]
        );
        assert_eq!(break_tokens("退款 ok"), ["退", "款", " ", "ok"]);
        assert_eq!(break_tokens(""), Vec::<&str>::new());
    }

    #[test]
    fn wrap_keeps_every_character() {
        let face = kefu_report::find_cjk_face()
            .expect("no CJK font found; install fonts-wqy-microhei or fonts-noto-cjk");
        let measure = measure(&face);
        let text = "请问退款什么时候到账 where is my refund_for_order_12345678901234567890";
        let lines = measure.wrap(text, BODY_SIZE, 60.0);
        assert!(lines.len() > 2, "{lines:?}");
        for line in &lines {
            assert!(
                measure.width(line, BODY_SIZE) <= 60.0,
                "{line:?} is too wide"
            );
        }
        let joined: String = lines.concat().chars().filter(|c| *c != ' ').collect();
        let expected: String = text.chars().filter(|c| *c != ' ').collect();
        assert_eq!(joined, expected);
        assert_eq!(measure.wrap("", BODY_SIZE, 60.0), [""]);
    }
}
