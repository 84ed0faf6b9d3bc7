//! Dataset files for trying out report widgets: CSV with a header row, or
//! JSON `{"columns": [...], "rows": [[...], ...]}`.
//!
//! A CSV field becomes an empty cell when empty, an integer or a number when
//! it parses as one, and text otherwise. A JSON value becomes an empty cell
//! for `null`, an integer or a number for a JSON number, and text for a
//! string.

use std::path::Path;

use anyhow::{Context, bail};
use kefu_core::plugin::widget_api::{Cell, Dataset, Table};
use serde::Deserialize;

/// Reads a dataset file. The dataset is named after the file without its
/// extension, for example `tickets-by-status` for `tickets-by-status.csv`.
pub fn read_dataset(path: &Path) -> anyhow::Result<Dataset> {
    let name = path
        .file_stem()
        .map(|stem| stem.to_string_lossy().into_owned())
        .unwrap_or_default();
    let extension = path
        .extension()
        .map(|extension| extension.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let bytes = super::try_out::read_input(path)?;
    let table = match extension.as_str() {
        "csv" => csv_table(&bytes),
        "json" => json_table(&bytes),
        _ => bail!("{}: a dataset file ends in .csv or .json", path.display()),
    }
    .with_context(|| format!("reading dataset {}", path.display()))?;
    Ok(Dataset { name, table })
}

fn csv_table(bytes: &[u8]) -> anyhow::Result<Table> {
    let mut reader = csv::Reader::from_reader(bytes);
    let columns: Vec<String> = reader
        .headers()
        .context("reading the header row")?
        .iter()
        .map(str::to_string)
        .collect();
    let mut rows = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let record = record.with_context(|| format!("reading data row {}", index + 1))?;
        rows.push(record.iter().map(csv_cell).collect());
    }
    Ok(Table { columns, rows })
}

fn csv_cell(field: &str) -> Cell {
    let trimmed = field.trim();
    if trimmed.is_empty() {
        return Cell::Empty;
    }
    if let Ok(integer) = trimmed.parse::<i64>() {
        return Cell::Integer(integer);
    }
    match trimmed.parse::<f64>() {
        Ok(number) if number.is_finite() => Cell::Number(number),
        _ => Cell::Text(field.to_string()),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonTable {
    columns: Vec<String>,
    rows: Vec<Vec<serde_json::Value>>,
}

fn json_table(bytes: &[u8]) -> anyhow::Result<Table> {
    let table: JsonTable = serde_json::from_slice(bytes)
        .context("expected {\"columns\": [...], \"rows\": [[...], ...]}")?;
    let mut rows = Vec::new();
    for (row_index, row) in table.rows.into_iter().enumerate() {
        let mut cells = Vec::new();
        for (column, value) in row.into_iter().enumerate() {
            let cell = match value {
                serde_json::Value::Null => Cell::Empty,
                serde_json::Value::String(text) => Cell::Text(text),
                serde_json::Value::Number(number) => match number.as_i64() {
                    Some(integer) => Cell::Integer(integer),
                    None => Cell::Number(number.as_f64().unwrap_or(f64::NAN)),
                },
                other => bail!(
                    "row {}, column {}: {other} is not null, a number or a string",
                    row_index + 1,
                    column + 1
                ),
            };
            cells.push(cell);
        }
        rows.push(cells);
    }
    Ok(Table {
        columns: table.columns,
        rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_become_typed_cells() {
        let table = csv_table(b"day,messages,share,note\n2024-12-01,3,0.5,\n").unwrap();
        assert_eq!(table.columns, vec!["day", "messages", "share", "note"]);
        assert!(matches!(&table.rows[0][0], Cell::Text(text) if text == "2024-12-01"));
        assert!(matches!(table.rows[0][1], Cell::Integer(3)));
        assert!(matches!(table.rows[0][2], Cell::Number(share) if share == 0.5));
        assert!(matches!(table.rows[0][3], Cell::Empty));
    }

    #[test]
    fn json_values_become_typed_cells() {
        let table =
            json_table(br#"{"columns": ["a", "b", "c"], "rows": [["x", 2, null]]}"#).unwrap();
        assert!(matches!(&table.rows[0][0], Cell::Text(text) if text == "x"));
        assert!(matches!(table.rows[0][1], Cell::Integer(2)));
        assert!(matches!(table.rows[0][2], Cell::Empty));
    }

    #[test]
    fn json_object_cell_is_rejected_with_position() {
        let error = json_table(br#"{"columns": ["a"], "rows": [[{"x": 1}]]}"#).unwrap_err();
        assert!(error.to_string().contains("row 1, column 1"), "{error}");
    }
}
