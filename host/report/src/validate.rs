//! Checks that a view is well formed and small enough to render.
//!
//! Widgets are third-party plugins, so the host validates what they return
//! before it draws or exports it.

use crate::error::ReportError;
use crate::model::{Cell, Chart, ChartKind, Table, View};

/// Maximum number of columns in a table.
pub const MAX_TABLE_COLUMNS: usize = 1_000;

/// Maximum number of cells (rows times columns) in a table. A million cells
/// of short text is tens of megabytes as text or CSV.
pub const MAX_TABLE_CELLS: usize = 1_000_000;

/// Maximum number of categories in a chart.
pub const MAX_CATEGORIES: usize = 1_000;

/// Maximum number of series in a chart.
pub const MAX_SERIES: usize = 100;

/// Maximum number of values (categories times series) in a chart. Every
/// value is at least one drawn element, and more than this is unreadable
/// at any size the app shows.
pub const MAX_CHART_VALUES: usize = 10_000;

/// Maximum magnitude of a chart value. A sum of [`MAX_CHART_VALUES`] such
/// values is at most 10¹⁰⁴, far below `f64::MAX`, so pie totals and axis
/// ranges stay finite.
pub const MAX_ABS_VALUE: f64 = 1e100;

/// Maximum length, in characters, of a chart title, axis label, category
/// or series name.
pub const MAX_LABEL_CHARS: usize = 200;

/// Checks a view with [`validate_table`] or [`validate_chart`].
pub fn validate(view: &View) -> Result<(), ReportError> {
    match view {
        View::Table(table) => validate_table(table),
        View::Chart(chart) => validate_chart(chart),
    }
}

/// Checks that a table has at least one column, one cell per column in
/// every row, no NaN or infinite number, and at most [`MAX_TABLE_COLUMNS`]
/// columns and [`MAX_TABLE_CELLS`] cells. A table with no rows is valid.
pub fn validate_table(table: &Table) -> Result<(), ReportError> {
    let columns = table.columns.len();
    if columns == 0 {
        return Err(ReportError::NoColumns);
    }
    if columns > MAX_TABLE_COLUMNS {
        return Err(ReportError::TooManyColumns {
            columns,
            max: MAX_TABLE_COLUMNS,
        });
    }

    let rows = table.rows.len();
    let cells = rows.saturating_mul(columns);
    if cells > MAX_TABLE_CELLS {
        return Err(ReportError::TooManyCells {
            cells,
            rows,
            columns,
            max: MAX_TABLE_CELLS,
        });
    }

    for (row_index, row) in table.rows.iter().enumerate() {
        if row.len() != columns {
            return Err(ReportError::RowLength {
                row: row_index,
                cells: row.len(),
                columns,
            });
        }
        for (cell, column) in row.iter().zip(&table.columns) {
            if let Cell::Number(value) = cell
                && !value.is_finite()
            {
                return Err(ReportError::NonFiniteCell {
                    row: row_index,
                    column: column.clone(),
                    value: *value,
                });
            }
        }
    }
    Ok(())
}

/// Checks that a chart has categories and series within the limits of this
/// module and labels of at most [`MAX_LABEL_CHARS`] characters. Every series
/// must have one finite value per category, each at most [`MAX_ABS_VALUE`]
/// in magnitude. A pie's first series must have no negative value and a
/// total above 0.
pub fn validate_chart(chart: &Chart) -> Result<(), ReportError> {
    let title = || chart.title.clone();
    let categories = chart.categories.len();
    let series_count = chart.series.len();

    if categories == 0 {
        return Err(ReportError::NoCategories { title: title() });
    }
    if series_count == 0 {
        return Err(ReportError::NoSeries { title: title() });
    }
    if categories > MAX_CATEGORIES {
        return Err(ReportError::TooManyCategories {
            title: title(),
            categories,
            max: MAX_CATEGORIES,
        });
    }
    if series_count > MAX_SERIES {
        return Err(ReportError::TooManySeries {
            title: title(),
            series: series_count,
            max: MAX_SERIES,
        });
    }
    let values = categories * series_count;
    if values > MAX_CHART_VALUES {
        return Err(ReportError::TooManyValues {
            title: title(),
            values,
            categories,
            series: series_count,
            max: MAX_CHART_VALUES,
        });
    }

    check_label("title", &chart.title)?;
    check_label("x-axis label", &chart.x_label)?;
    check_label("y-axis label", &chart.y_label)?;
    for (index, category) in chart.categories.iter().enumerate() {
        check_label(&format!("category {index}"), category)?;
    }

    for (index, series) in chart.series.iter().enumerate() {
        check_label(&format!("name of series {index}"), &series.name)?;
        if series.values.len() != categories {
            return Err(ReportError::SeriesLength {
                index,
                name: series.name.clone(),
                values: series.values.len(),
                categories,
            });
        }
        let values_by_category = series.values.iter().zip(&chart.categories);
        for (value, category) in values_by_category {
            if !value.is_finite() {
                return Err(ReportError::NonFiniteValue {
                    index,
                    name: series.name.clone(),
                    category: category.clone(),
                    value: *value,
                });
            }
            if value.abs() > MAX_ABS_VALUE {
                return Err(ReportError::ValueOutOfRange {
                    index,
                    name: series.name.clone(),
                    category: category.clone(),
                    value: *value,
                    max: MAX_ABS_VALUE,
                });
            }
        }
    }

    if chart.kind == ChartKind::Pie {
        validate_pie(chart)?;
    }
    Ok(())
}

/// Checks the first series, the one a pie shows.
fn validate_pie(chart: &Chart) -> Result<(), ReportError> {
    let series = &chart.series[0];
    for (value, category) in series.values.iter().zip(&chart.categories) {
        if *value < 0.0 {
            return Err(ReportError::NegativePieValue {
                category: category.clone(),
                value: *value,
            });
        }
    }
    let total: f64 = series.values.iter().sum();
    if total <= 0.0 {
        return Err(ReportError::EmptyPie {
            name: series.name.clone(),
        });
    }
    Ok(())
}

fn check_label(label: &str, text: &str) -> Result<(), ReportError> {
    let chars = text.chars().count();
    if chars > MAX_LABEL_CHARS {
        return Err(ReportError::LabelTooLong {
            label: label.to_string(),
            chars,
            max: MAX_LABEL_CHARS,
        });
    }
    Ok(())
}
