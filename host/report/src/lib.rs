//! Rendering and export of the views that report-widget plugins return.
//!
//! A report widget (interface `widget` in `plugin-api/wit/kefu.wit`) returns
//! a [`View`]: a [`Table`] or a [`Chart`]. This crate checks a view
//! ([`validate`]), draws charts as SVG or PNG ([`render_svg`],
//! [`render_png`]), and exports tables and chart data as CSV
//! ([`table_csv`], [`chart_csv`]) or as an aligned text table for the
//! command line ([`table_text`]). [`render_rgba`] draws a chart as pixels
//! with the outline of every value, so that an app can tell which value a
//! click hits.
//!
//! The crate has its own model types and depends on neither the plugin
//! runtime nor the store, so the host converts the WIT bindings into these
//! types and any front end can render them.

mod csv_export;
mod error;
mod model;
mod render;
mod text_table;
mod validate;

pub use csv_export::{chart_csv, guard_formula, table_csv};
pub use error::ReportError;
pub use model::{Cell, Chart, ChartKind, Series, Table, View};
pub use render::font::{
    CJK_FAMILIES, ChartFont, CjkFace, LATIN_FAMILIES, chart_font, find_cjk_face,
};
pub use render::regions::{Region, RenderedChart, Shape};
pub use render::{MAX_CHART_SIDE, MIN_CHART_SIDE, render_png, render_rgba, render_svg};
pub use text_table::table_text;
pub use validate::{
    MAX_ABS_VALUE, MAX_CATEGORIES, MAX_CHART_VALUES, MAX_LABEL_CHARS, MAX_SERIES, MAX_TABLE_CELLS,
    MAX_TABLE_COLUMNS, validate, validate_chart, validate_table,
};
