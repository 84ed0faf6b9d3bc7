//! Views that report widgets return, as plain Rust types.
//!
//! Each type mirrors a record or variant of interface `widget` in
//! `plugin-api/wit/kefu.wit`, so the host converts the generated bindings
//! field by field. Serialized names are kebab-case, as in the WIT file.

use serde::{Deserialize, Serialize};

/// One cell of a table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Cell {
    /// No value.
    Empty,
    /// Text.
    Text(String),
    /// A whole number.
    Integer(i64),
    /// A number with a fraction.
    Number(f64),
}

/// A table with named columns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Table {
    /// Column names, in order.
    pub columns: Vec<String>,
    /// Rows, each with one cell per column.
    pub rows: Vec<Vec<Cell>>,
}

/// Kind of chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChartKind {
    /// Bars per category, one bar per series.
    Bar,
    /// Lines over categories, one line per series.
    Line,
    /// Slices of a whole, from the first series only.
    Pie,
    /// A grid of categories by series, coloured by value.
    Heatmap,
}

/// One named run of values, one per category.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Series {
    /// Series name, shown in the legend.
    pub name: String,
    /// Values, in category order.
    pub values: Vec<f64>,
}

/// A chart the host draws and exports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Chart {
    /// Kind of chart.
    pub kind: ChartKind,
    /// Title above the chart.
    pub title: String,
    /// Category labels along the x axis (slice labels for a pie).
    pub categories: Vec<String>,
    /// The series.
    pub series: Vec<Series>,
    /// Label of the x axis.
    pub x_label: String,
    /// Label of the y axis.
    pub y_label: String,
}

/// Content a widget shows: a table or a chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum View {
    /// A table.
    Table(Table),
    /// A chart.
    Chart(Chart),
}
