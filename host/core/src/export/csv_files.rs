//! The CSV export: the metrics table in the named file, and the peak hours
//! and recurring questions in two files beside it.

use std::path::{Path, PathBuf};

use super::{ExportStage, Progress, write_file};
use crate::metrics::MetricsReport;

/// Returns the files of a CSV export to `path`: `path` itself, then
/// `NAME-peak-hours.csv` and `NAME-recurring.csv` beside it.
pub(super) fn paths(path: &Path) -> Vec<PathBuf> {
    let stem = path
        .file_stem()
        .map(|stem| stem.to_string_lossy().into_owned())
        .unwrap_or_else(|| "report".to_string());
    let sibling = |suffix: &str| path.with_file_name(format!("{stem}-{suffix}.csv"));
    vec![
        path.to_path_buf(),
        sibling("peak-hours"),
        sibling("recurring"),
    ]
}

/// Writes the three tables to `paths`, as [`paths`] returns them. Progress
/// advances by a table's rows once its file is written.
pub(super) fn write_csv(
    report: &MetricsReport,
    paths: &[PathBuf],
    progress: &mut Progress<'_>,
) -> anyhow::Result<()> {
    let tables = [
        report.metrics_table(),
        report.peak_hours_table(),
        report.recurring_table(),
    ];
    let total: usize = tables.iter().map(|table| table.rows.len()).sum();
    progress.start(ExportStage::WritingRows, total as u64);
    for (path, table) in paths.iter().zip(&tables) {
        write_file(path, kefu_report::table_csv(table).as_bytes())?;
        progress.advance(table.rows.len() as u64);
    }
    Ok(())
}
