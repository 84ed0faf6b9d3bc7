//! Parameters and dataset reading shared by the report widgets of the
//! Reports screen: `ticket-volume`, `backlog`, `channel-share` and
//! `hour-of-week`.
//!
//! The screen sets two parameters on every widget that declares them:
//! `period`, in `kefu report --period` syntax, and `dimension`, the value
//! its bar chart groups by. The widgets pass both on to the host's
//! datasets and never interpret the period themselves.

use kefu_plugin_sdk::widget::exports::kefu::plugin::widget::{
    Cell, Dataset, Parameter, ParameterKind, ParameterValue, Table, View,
};

/// Name of the period parameter.
pub const PERIOD: &str = "period";

/// Name of the dimension parameter.
pub const DIMENSION: &str = "dimension";

/// Values of the `dimension` parameter, the default first.
pub const DIMENSIONS: [&str; 4] = ["agent", "type", "tier", "channel"];

/// Returns the `period` parameter. Its default, the empty text, makes the
/// host's datasets use the month of the newest ticket.
pub fn period_parameter() -> Parameter {
    Parameter {
        name: PERIOD.to_string(),
        label: "Period: a year (2026), a month (2026-11), an ISO week (2026-W45), a day \
                (2026-11-05) or a range of days (2026-11-01..2026-11-15); empty for the month \
                of the newest ticket"
            .to_string(),
        kind: ParameterKind::Text,
        default_value: String::new(),
    }
}

/// Returns the `dimension` parameter, a choice of [`DIMENSIONS`].
pub fn dimension_parameter() -> Parameter {
    Parameter {
        name: DIMENSION.to_string(),
        label: "Group tickets by".to_string(),
        kind: ParameterKind::Choice(DIMENSIONS.map(String::from).to_vec()),
        default_value: DIMENSIONS[0].to_string(),
    }
}

/// Checks that every parameter value names one of `known`, so that a
/// misspelt parameter is reported instead of ignored.
pub fn check_parameter_names(parameters: &[ParameterValue], known: &[&str]) -> Result<(), String> {
    for parameter in parameters {
        if !known.contains(&parameter.name.as_str()) {
            return Err(format!(
                "The widget has no parameter {:?}; its parameters are {}.",
                parameter.name,
                known.join(", ")
            ));
        }
    }
    Ok(())
}

/// Returns the value of the `dimension` parameter, lower-cased, or the
/// default when it is not given. Fails when it is not one of
/// [`DIMENSIONS`].
pub fn dimension(parameters: &[ParameterValue]) -> Result<String, String> {
    let Some(parameter) = parameters
        .iter()
        .rev()
        .find(|parameter| parameter.name == DIMENSION)
    else {
        return Ok(DIMENSIONS[0].to_string());
    };
    let value = parameter.value.trim().to_ascii_lowercase();
    if DIMENSIONS.contains(&value.as_str()) {
        Ok(value)
    } else {
        Err(format!(
            "The dimension parameter must be one of {}, not {:?}.",
            DIMENSIONS.join(", "),
            parameter.value
        ))
    }
}

/// One dataset the host passed in, read by column name.
pub struct DatasetReader<'a> {
    dataset: &'a Dataset,
}

impl<'a> DatasetReader<'a> {
    /// Finds the dataset `name` among those the host passed in.
    pub fn find(datasets: &'a [Dataset], name: &str) -> Result<Self, String> {
        datasets
            .iter()
            .find(|dataset| dataset.name == name)
            .map(|dataset| Self { dataset })
            .ok_or_else(|| format!("The host passed no {name:?} dataset to the widget."))
    }

    /// Returns the index of the column `name`.
    pub fn column(&self, name: &str) -> Result<usize, String> {
        let table = &self.dataset.table;
        table
            .columns
            .iter()
            .position(|column| column == name)
            .ok_or_else(|| {
                format!(
                    "The {:?} dataset has no {name:?} column; its columns are {:?}.",
                    self.dataset.name, table.columns
                )
            })
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.dataset.table.rows.len()
    }

    /// True when the dataset has no rows.
    pub fn is_empty(&self) -> bool {
        self.dataset.table.rows.is_empty()
    }

    /// Returns the text in `column` of row `row`. Fails when the cell is
    /// not text.
    pub fn text(&self, row: usize, column: usize) -> Result<&'a str, String> {
        match self.cell(row, column) {
            Cell::Text(text) => Ok(text),
            other => Err(self.row_error(row, column, "text", other)),
        }
    }

    /// Returns the whole number of at least 0 in `column` of row `row`.
    pub fn count(&self, row: usize, column: usize) -> Result<u64, String> {
        match self.cell(row, column) {
            Cell::Integer(value) if *value >= 0 => Ok(*value as u64),
            other => Err(self.row_error(row, column, "a whole number of at least 0", other)),
        }
    }

    /// Returns the dataset's columns without rows: the view of a widget
    /// that has nothing to draw, which the Reports screen shows as "nothing
    /// to show".
    pub fn empty_view(&self) -> View {
        View::Table(Table {
            columns: self.dataset.table.columns.clone(),
            rows: Vec::new(),
        })
    }

    fn cell(&self, row: usize, column: usize) -> &'a Cell {
        self.dataset.table.rows[row]
            .get(column)
            .unwrap_or(&Cell::Empty)
    }

    fn row_error(&self, row: usize, column: usize, expected: &str, found: &Cell) -> String {
        format!(
            "Row {} of the {:?} dataset: {} must be {expected}, not {}.",
            row + 1,
            self.dataset.name,
            self.dataset.table.columns[column],
            describe_cell(found)
        )
    }
}

/// Describes a cell for an error message, for example `text "x"` or `-1`.
pub fn describe_cell(cell: &Cell) -> String {
    match cell {
        Cell::Empty => "an empty cell".to_string(),
        Cell::Text(text) => format!("text {text:?}"),
        Cell::Integer(value) => value.to_string(),
        Cell::Number(value) => value.to_string(),
    }
}

#[cfg(test)]
mod tests;
