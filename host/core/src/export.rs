//! Export of the metrics report as CSV, Excel (.xlsx) or PDF files, shared
//! by `kefu report --period` and the app's Reports screen.
//!
//! Every row of the report is written. The export reports its progress
//! (rows written, table rows laid out, pages drawn) to a callback, which
//! the command line turns into a progress bar and the app into a line on
//! the screen. The destination is checked before the work starts, so a
//! missing folder fails at once with the path and what to do, not after
//! minutes of layout.

mod csv_files;
mod pdf;
mod xlsx;

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use crate::Store;
use crate::metrics::{Dimension, Filters, MetricsQuery, MetricsReport, parse_period};

/// Maximum number of recurring questions an exported report lists.
pub const RECURRING_LIMIT: usize = 50;

/// File format of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExportFormat {
    /// The metrics table as CSV, with the peak hours and recurring
    /// questions in two more files beside it.
    Csv,
    /// An Excel workbook with a sheet per table and native charts.
    Xlsx,
    /// An A4 landscape PDF with a cover, charts and the tables.
    Pdf,
}

impl ExportFormat {
    /// Every format, in the order the app offers them.
    pub const ALL: [ExportFormat; 3] = [ExportFormat::Xlsx, ExportFormat::Pdf, ExportFormat::Csv];

    /// Returns the file name extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::Xlsx => "xlsx",
            Self::Pdf => "pdf",
        }
    }

    /// Returns the format a file name extension names, ignoring case.
    pub fn from_extension(extension: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|format| format.extension().eq_ignore_ascii_case(extension))
    }
}

/// Step of an export whose progress is reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportStage {
    /// Rows written to the CSV files or the Excel sheet; the total is the
    /// report's row count.
    WritingRows,
    /// Table rows laid out on the PDF's pages.
    LayingOut,
    /// PDF pages drawn; the total is the page count.
    DrawingPages,
    /// The finished file being compressed and written; the total is 1.
    Saving,
}

/// Progress of an export: `done` of `total` units of `stage`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExportProgress {
    pub stage: ExportStage,
    pub done: u64,
    pub total: u64,
}

/// What [`export`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exported {
    /// The files written: one, or three for CSV.
    pub paths: Vec<PathBuf>,
    /// Rows of the metrics table.
    pub rows: usize,
    /// Pages of a PDF.
    pub pages: Option<usize>,
}

/// Passes progress to a callback, once when a stage starts, at most about
/// [`Progress::UPDATES`] times during it, and once when it ends, so that a
/// callback that redraws or sends a message is not called per row.
pub(crate) struct Progress<'a> {
    callback: &'a mut dyn FnMut(ExportProgress),
    stage: ExportStage,
    done: u64,
    total: u64,
    reported: u64,
}

impl<'a> Progress<'a> {
    const UPDATES: u64 = 200;

    fn new(callback: &'a mut dyn FnMut(ExportProgress)) -> Self {
        Self {
            callback,
            stage: ExportStage::WritingRows,
            done: 0,
            total: 0,
            reported: 0,
        }
    }

    /// Starts `stage` with `total` units, none done.
    pub(crate) fn start(&mut self, stage: ExportStage, total: u64) {
        self.stage = stage;
        self.total = total;
        self.done = 0;
        self.report();
    }

    /// Counts `units` more done.
    pub(crate) fn advance(&mut self, units: u64) {
        self.done = (self.done + units).min(self.total);
        let step = (self.total / Self::UPDATES).max(1);
        if self.done == self.total || self.done >= self.reported + step {
            self.report();
        }
    }

    fn report(&mut self) {
        self.reported = self.done;
        (self.callback)(ExportProgress {
            stage: self.stage,
            done: self.done,
            total: self.total,
        });
    }
}

/// Builds the query of an exported report: `period` in `kefu report
/// --period` syntax, read in the time zone of the store's SLA calendar,
/// grouped `by` the dimensions in column order.
pub fn query(
    store: &Store,
    period: &str,
    by: Vec<Dimension>,
    filters: Filters,
    now: DateTime<Utc>,
) -> anyhow::Result<MetricsQuery> {
    let time_zone = store.desk().sla.calendar().time_zone();
    Ok(MetricsQuery {
        period: parse_period(period, time_zone)?,
        by,
        filters,
        now,
        recurring_limit: RECURRING_LIMIT,
    })
}

/// Writes `report` to `path` in `format` and calls `progress` as the work
/// advances. `filters` are the query's filters, which the PDF's cover
/// lists. An existing file is replaced, so a caller that must not
/// overwrite checks first.
///
/// # Errors
///
/// Fails before writing anything when the folder of `path` is missing or
/// `path` is a folder, when an Excel sheet cannot contain the rows, or
/// when the PDF finds no CJK font. A file that cannot be written fails
/// with the path and the reason.
pub fn export(
    report: &MetricsReport,
    filters: &Filters,
    format: ExportFormat,
    path: &Path,
    progress: &mut dyn FnMut(ExportProgress),
) -> anyhow::Result<Exported> {
    let mut progress = Progress::new(progress);
    let paths = written_paths(format, path);
    for path in &paths {
        check_destination(path)?;
    }
    let mut pages = None;
    match format {
        ExportFormat::Csv => csv_files::write_csv(report, &paths, &mut progress)?,
        ExportFormat::Xlsx => xlsx::write_xlsx(report, path, &mut progress)?,
        ExportFormat::Pdf => pages = Some(pdf::write_pdf(report, filters, path, &mut progress)?),
    }
    tracing::info!(
        rows = report.rows.len(),
        path = %path.display(),
        format = format.extension(),
        "exported the metrics report"
    );
    Ok(Exported {
        paths,
        rows: report.rows.len(),
        pages,
    })
}

/// Returns the paths that exporting to `path` in `format` writes: `path`,
/// and for CSV the two files beside it.
pub fn written_paths(format: ExportFormat, path: &Path) -> Vec<PathBuf> {
    match format {
        ExportFormat::Csv => csv_files::paths(path),
        ExportFormat::Xlsx | ExportFormat::Pdf => vec![path.to_path_buf()],
    }
}

/// Checks that `path` can be a new or replaced file: its folder exists and
/// it is not a folder itself.
pub fn check_destination(path: &Path) -> anyhow::Result<()> {
    if path.is_dir() {
        anyhow::bail!(
            "{} is a folder; add a file name to the path, for example {}",
            path.display(),
            path.join("kefu-report.xlsx").display()
        );
    }
    let folder = match path.parent() {
        Some(folder) if !folder.as_os_str().is_empty() => folder,
        _ => return Ok(()),
    };
    if !folder.is_dir() {
        anyhow::bail!(
            "cannot write {}: the folder {} does not exist; create it or choose another folder",
            path.display(),
            folder.display()
        );
    }
    Ok(())
}

/// Writes `bytes` to `path`, with an error that names the path, the reason
/// and what to do.
pub(crate) fn write_file(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    std::fs::write(path, bytes).map_err(|error| {
        let advice = match error.kind() {
            std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem => {
                "; choose a folder you can write to, such as your documents folder"
            }
            std::io::ErrorKind::NotFound => "; check that the folder exists",
            std::io::ErrorKind::StorageFull => "; free some disk space or choose another disk",
            _ => "",
        };
        anyhow::anyhow!("cannot write {}: {error}{advice}", path.display())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_reports_start_steps_and_end() {
        let mut seen = Vec::new();
        let mut callback = |progress: ExportProgress| seen.push(progress.done);
        let mut progress = Progress::new(&mut callback);
        progress.start(ExportStage::WritingRows, 1_000);
        for _ in 0..1_000 {
            progress.advance(1);
        }
        assert_eq!(seen.first(), Some(&0));
        assert_eq!(seen.last(), Some(&1_000));
        // A step of 5 rows: the start and 200 updates.
        assert_eq!(seen.len(), 201);
    }

    #[test]
    fn destination_names_missing_folder() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("missing").join("report.xlsx");
        let error = check_destination(&path).unwrap_err().to_string();
        assert!(error.contains(&folder.path().join("missing").display().to_string()));
        assert!(error.contains("does not exist; create it"), "{error}");

        let error = check_destination(folder.path()).unwrap_err().to_string();
        assert!(error.contains("is a folder"), "{error}");
        assert!(check_destination(&folder.path().join("report.xlsx")).is_ok());
    }

    #[test]
    fn format_from_extension() {
        assert_eq!(
            ExportFormat::from_extension("XLSX"),
            Some(ExportFormat::Xlsx)
        );
        assert_eq!(ExportFormat::from_extension("csv"), Some(ExportFormat::Csv));
        assert_eq!(ExportFormat::from_extension("txt"), None);
    }
}
