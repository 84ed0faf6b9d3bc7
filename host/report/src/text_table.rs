//! Plain text tables for a terminal.

use unicode_width::UnicodeWidthStr;

use crate::model::{Cell, Table};

/// Spaces between two columns.
const COLUMN_GAP: &str = "  ";

/// Writes a table as aligned plain text: the column names, a line of `-`
/// under each, then one line per row, each line ending in `\n`.
///
/// Widths are terminal columns as `unicode-width` computes them, so a Han
/// character such as 邮 takes two and the columns line up under CJK text.
/// A column whose non-empty cells are all numbers is right-aligned, and
/// other columns are left-aligned. Control characters in text, such as a
/// line break in a mail subject, become spaces so that each row stays one
/// line. A table with no columns gives an empty string.
pub fn table_text(table: &Table) -> String {
    if table.columns.is_empty() {
        return String::new();
    }

    let header: Vec<String> = table.columns.iter().map(|name| printable(name)).collect();
    let rows: Vec<Vec<String>> = table
        .rows
        .iter()
        .map(|row| row.iter().map(cell_text).collect())
        .collect();
    let column_count = rows
        .iter()
        .map(Vec::len)
        .chain([header.len()])
        .max()
        .unwrap_or(0);

    let mut widths = vec![0; column_count];
    for line in rows.iter().chain([&header]) {
        for (width, text) in widths.iter_mut().zip(line) {
            *width = (*width).max(text.width());
        }
    }
    let right_aligned: Vec<bool> = (0..column_count)
        .map(|column| is_numeric_column(table, column))
        .collect();

    let separator: Vec<String> = widths.iter().map(|width| "-".repeat(*width)).collect();
    let mut output = String::new();
    for line in [&header, &separator].into_iter().chain(&rows) {
        write_line(&mut output, line, &widths, &right_aligned);
    }
    output
}

fn write_line(output: &mut String, fields: &[String], widths: &[usize], right_aligned: &[bool]) {
    let mut line = String::new();
    for (column, field) in fields.iter().enumerate() {
        if column > 0 {
            line.push_str(COLUMN_GAP);
        }
        let padding = " ".repeat(widths[column].saturating_sub(field.width()));
        if right_aligned[column] {
            line.push_str(&padding);
            line.push_str(field);
        } else {
            line.push_str(field);
            line.push_str(&padding);
        }
    }
    output.push_str(line.trim_end());
    output.push('\n');
}

/// Checks that every non-empty cell of `column` is a number and that at
/// least one is.
fn is_numeric_column(table: &Table, column: usize) -> bool {
    let mut any_number = false;
    for cell in table.rows.iter().filter_map(|row| row.get(column)) {
        match cell {
            Cell::Empty => {}
            Cell::Integer(_) | Cell::Number(_) => any_number = true,
            Cell::Text(_) => return false,
        }
    }
    any_number
}

fn cell_text(cell: &Cell) -> String {
    match cell {
        Cell::Empty => String::new(),
        Cell::Text(text) => printable(text),
        Cell::Integer(value) => value.to_string(),
        Cell::Number(value) => value.to_string(),
    }
}

/// Replaces control characters with spaces.
fn printable(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}
