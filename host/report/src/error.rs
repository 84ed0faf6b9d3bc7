//! Errors from validating, rendering and exporting views.

use thiserror::Error;

/// Reason a view is invalid or could not be rendered.
///
/// Row, series and category indexes count from 0, as in the lists a widget
/// returns. Messages name the row or series and state what the widget
/// should return instead.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum ReportError {
    #[error("the table has no columns; return at least one column")]
    NoColumns,

    #[error(
        "the table has {columns} columns, more than the maximum of {max}; \
         split it into several tables"
    )]
    TooManyColumns { columns: usize, max: usize },

    #[error(
        "the table has {cells} cells ({rows} rows of {columns} columns), more than \
         the maximum of {max}; return fewer rows, for example by aggregating or filtering"
    )]
    TooManyCells {
        cells: usize,
        rows: usize,
        columns: usize,
        max: usize,
    },

    #[error(
        "row {row} has {cells} cells but the table has {columns} columns; \
         return one cell per column in every row, using empty cells for missing values"
    )]
    RowLength {
        row: usize,
        cells: usize,
        columns: usize,
    },

    #[error(
        "row {row}, column {column:?} contains {value}, which is not a finite number; \
         use an empty cell for a missing value"
    )]
    NonFiniteCell {
        row: usize,
        column: String,
        value: f64,
    },

    #[error("chart {title:?} has no categories; return at least one category")]
    NoCategories { title: String },

    #[error("chart {title:?} has no series; return at least one series")]
    NoSeries { title: String },

    #[error(
        "chart {title:?} has {categories} categories, more than the maximum of {max}; \
         group them, for example by week instead of by day"
    )]
    TooManyCategories {
        title: String,
        categories: usize,
        max: usize,
    },

    #[error(
        "chart {title:?} has {series} series, more than the maximum of {max}; \
         keep the largest series and sum the rest into one"
    )]
    TooManySeries {
        title: String,
        series: usize,
        max: usize,
    },

    #[error(
        "chart {title:?} has {values} values ({categories} categories by {series} series), \
         more than the maximum of {max}; return fewer categories or series"
    )]
    TooManyValues {
        title: String,
        values: usize,
        categories: usize,
        series: usize,
        max: usize,
    },

    #[error("the {label} is {chars} characters long, more than the maximum of {max}; shorten it")]
    LabelTooLong {
        /// Label that is too long, for example `title` or `category 3`.
        label: String,
        chars: usize,
        max: usize,
    },

    #[error(
        "series {index} ({name:?}) has {values} values but the chart has {categories} \
         categories; return one value per category"
    )]
    SeriesLength {
        index: usize,
        name: String,
        values: usize,
        categories: usize,
    },

    #[error(
        "series {index} ({name:?}) contains {value} for category {category:?}, which is \
         not a finite number; return a finite number, for example 0 for no data"
    )]
    NonFiniteValue {
        index: usize,
        name: String,
        category: String,
        value: f64,
    },

    #[error(
        "series {index} ({name:?}) contains {value} for category {category:?}, which is \
         outside the range -{max:e} to {max:e} that charts can scale to; return a smaller value"
    )]
    ValueOutOfRange {
        index: usize,
        name: String,
        category: String,
        value: f64,
        max: f64,
    },

    #[error(
        "pie slice {category:?} is {value}, but a pie shows parts of a whole; \
         return zero or a positive value, or use a bar chart for negative values"
    )]
    NegativePieValue { category: String, value: f64 },

    #[error(
        "the values of pie series {name:?} add up to 0, so there is no slice to draw; \
         return at least one positive value"
    )]
    EmptyPie { name: String },

    #[error(
        "chart size {width}×{height} pixels is invalid; width and height must each be \
         between {min} and {max} pixels"
    )]
    InvalidSize {
        width: u32,
        height: u32,
        min: u32,
        max: u32,
    },

    #[error("drawing the chart failed: {0}")]
    Drawing(String),

    #[error("encoding the chart as PNG failed: {0}")]
    PngEncoding(#[from] png::EncodingError),
}
