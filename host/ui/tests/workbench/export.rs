//! Export from the Reports screen on a database of generated demo data.
//! The export's background task runs to completion, and its progress
//! messages are watched one by one. The workbook is read back with
//! openpyxl and compared, cell by cell, with the workbook that `kefu report
//! --period 2026-11 --by agent -o FILE` writes: the same query and the same
//! `kefu_core::export::export` call.

use std::path::Path;
use std::process::Command;

use chrono::{TimeZone, Utc};
use kefu_core::Store;
use kefu_core::demo::{DemoOptions, generate};
use kefu_core::desk::Desk;
use kefu_core::export::{self, ExportFormat, ExportProgress, ExportStage};
use kefu_core::metrics::{Dimension, Filters, compute};
use kefu_ui::{Workbench, report_ids};
use serde_json::Value;

use super::reports::Running;

/// Generates 60 days of demo data that end at the start of 2026-12-01 in
/// Shanghai, so November 2026 is full.
fn demo_database(db_path: &Path) {
    let mut store = Store::open(db_path).expect("open the database");
    let end = Utc.with_ymd_and_hms(2026, 11, 30, 16, 0, 0).unwrap();
    let options = DemoOptions::new(150, 60, 3, end);
    generate(&mut store, &options, &mut |_, _| {}).expect("generate demo data");
}

/// Finds a Python with openpyxl, as the command line's report tests do.
/// `None` after printing why the test is skipped; panics instead when
/// KEFU_REQUIRE_SERVERS=1, as CI sets.
fn require_openpyxl() -> Option<&'static str> {
    let python = ["python3", "/usr/bin/python3"].into_iter().find(|python| {
        Command::new(python)
            .args(["-c", "import openpyxl"])
            .output()
            .is_ok_and(|output| output.status.success())
    });
    if python.is_none() {
        let message = "openpyxl is not installed (apt-get install python3-openpyxl)";
        if std::env::var("KEFU_REQUIRE_SERVERS").as_deref() == Ok("1") {
            panic!("{message}, and KEFU_REQUIRE_SERVERS=1 requires it");
        }
        eprintln!("skipping: {message}");
    }
    python
}

/// Reads every sheet of a workbook with openpyxl: per sheet, the rows as
/// lists of cell values.
fn read_workbook(python: &str, path: &Path) -> Value {
    const SCRIPT: &str = r#"
import json, sys
import openpyxl
book = openpyxl.load_workbook(sys.argv[1])
print(json.dumps({sheet.title: [
    [cell.isoformat() if hasattr(cell, "isoformat") else cell for cell in row]
    for row in sheet.iter_rows(values_only=True)] for sheet in book.worksheets}))
"#;
    let output = Command::new(python)
        .args(["-c", SCRIPT])
        .arg(path)
        .output()
        .expect("running python");
    assert!(
        output.status.success(),
        "openpyxl failed on {}: {}",
        path.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

/// Exports the report as `kefu report --period PERIOD --by agent -o PATH`
/// does with the built-in desk configuration.
fn command_line_export(db_path: &Path, period: &str, path: &Path) {
    let mut store = Store::open(db_path).unwrap();
    store.set_desk(Desk::builtin());
    let query = export::query(
        &store,
        period,
        vec![Dimension::Agent],
        Filters::default(),
        Utc::now(),
    )
    .unwrap();
    let report = compute(&store, &query).unwrap();
    export::export(
        &report,
        &query.filters,
        ExportFormat::Xlsx,
        path,
        &mut |_| {},
    )
    .unwrap();
}

fn open_reports() -> Running {
    let folder = tempfile::tempdir().expect("create a temporary folder");
    let db_path = folder.path().join("kefu.db");
    demo_database(&db_path);
    let workbench = Workbench::open(&db_path);
    assert_eq!(workbench.error(), None);
    assert!(!workbench.demo_offer_shown());
    let mut running = Running::new(folder, db_path, workbench);
    running.click("Reports");
    running.assert_no_report_error();
    running.enter_period("2026-11");
    running.assert_no_report_error();
    running
}

#[test]
fn excel_export_matches_command_line() {
    let Some(python) = require_openpyxl() else {
        return;
    };
    let mut running = open_reports();
    let default_path = running
        .workbench()
        .reports()
        .export()
        .path_text()
        .to_string();
    assert!(
        default_path.ends_with("kefu-report-2026-11.xlsx"),
        "{default_path}"
    );

    let folder = running.db_path().parent().unwrap().to_path_buf();
    let path = folder.join("november.xlsx");
    running.fill(report_ids::export_path_id(), path.to_str().unwrap());
    let mut seen: Vec<ExportProgress> = Vec::new();
    running.click_id_watching(report_ids::export_button_id(), |workbench| {
        seen.extend(workbench.reports().export().progress());
    });
    let panel = running.workbench().reports().export();
    if let Some(error) = panel.error() {
        panic!("the export failed: {error}");
    }
    let saved = panel.saved().expect("the export finished").clone();
    assert_eq!(saved.paths, std::slice::from_ref(&path));
    let saved_line = format!("Saved {} ({} rows)", path.display(), saved.rows);
    assert!(running.simulator().find(saved_line.as_str()).is_ok());

    // The screen went through the rows written, up to every row.
    let rows: Vec<&ExportProgress> = seen
        .iter()
        .filter(|progress| progress.stage == ExportStage::WritingRows)
        .collect();
    assert!(!rows.is_empty(), "no progress shown: {seen:?}");
    assert!(
        rows.iter()
            .all(|progress| progress.total == saved.rows as u64)
    );
    assert_eq!(rows.last().unwrap().done, saved.rows as u64);

    let expected = folder.join("command-line.xlsx");
    command_line_export(running.db_path(), "2026-11", &expected);
    let app_book = read_workbook(python, &path);
    let cli_book = read_workbook(python, &expected);
    assert_eq!(app_book["Metrics"], cli_book["Metrics"]);
    assert_eq!(app_book["Peak hours"], cli_book["Peak hours"]);
    assert_eq!(
        app_book["Recurring questions"],
        cli_book["Recurring questions"]
    );

    // The numbers are the metrics computed from the database.
    let store = Store::open(running.db_path()).unwrap();
    let query = export::query(
        &store,
        "2026-11",
        vec![Dimension::Agent],
        Filters::default(),
        Utc::now(),
    )
    .unwrap();
    let report = compute(&store, &query).unwrap();
    let sheet = app_book["Metrics"].as_array().unwrap();
    assert_eq!(sheet.len(), report.rows.len() + 1);
    let header = sheet[0].as_array().unwrap();
    let column = |name: &str| header.iter().position(|cell| cell == name).unwrap();
    let (agent, created, resolved) = (column("agent"), column("created"), column("resolved"));
    for (row, expected) in sheet[1..].iter().zip(&report.rows) {
        assert_eq!(row[agent], expected.key[0].as_str());
        assert_eq!(row[created], expected.created);
        assert_eq!(row[resolved], expected.resolved);
    }
    let total: u64 = report.rows.iter().map(|row| row.created).sum();
    assert!(total > 0, "no tickets created in November");
}

#[test]
fn export_asks_before_replacing() {
    let mut running = open_reports();
    let folder = running.db_path().parent().unwrap().to_path_buf();
    let path = folder.join("november.csv");
    std::fs::write(&path, "keep me").unwrap();

    running.click("CSV");
    running.fill(report_ids::export_path_id(), path.to_str().unwrap());
    running.click_id(report_ids::export_button_id());
    let pending = running.workbench().reports().export().replace_pending();
    assert_eq!(pending, Some(std::slice::from_ref(&path)));
    let question = format!("{} exists. Replace it?", path.display());
    assert!(running.simulator().find(question.as_str()).is_ok());
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "keep me");

    running.click("Cancel");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "keep me");
    assert!(running.workbench().reports().export().saved().is_none());

    running.click_id(report_ids::export_button_id());
    running.click_id(report_ids::replace_button_id());
    let saved = running.workbench().reports().export().saved().cloned();
    let saved = saved.expect("the export finished after the confirmation");
    assert_eq!(saved.paths.len(), 3);
    let header = std::fs::read_to_string(&path).unwrap();
    assert!(header.starts_with("agent,created,"), "{header}");
}

#[test]
fn export_names_missing_folder() {
    let mut running = open_reports();
    let folder = running.db_path().parent().unwrap().join("missing");
    let path = folder.join("november.xlsx");
    running.fill(report_ids::export_path_id(), path.to_str().unwrap());
    running.click_id(report_ids::export_button_id());
    let error = running
        .workbench()
        .reports()
        .export()
        .error()
        .expect("an error line")
        .to_string();
    assert!(error.contains(&folder.display().to_string()), "{error}");
    assert!(error.contains("does not exist; create it"), "{error}");
    assert!(running.simulator().find(error.as_str()).is_ok());
    assert!(!path.exists());
}
