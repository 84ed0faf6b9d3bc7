//! Tests of the public API on real charts and tables.

mod csv_export;
mod regions;
mod render;
mod sample;
mod serde_format;
mod text_table;
mod validate;
