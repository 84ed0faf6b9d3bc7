//! `kefu report --period` and `kefu ratings import` run as a user would, on a
//! real database file built through the store's write API. Excel files
//! are read back with openpyxl, CSV files with the csv crate.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use chrono::{DateTime, FixedOffset, TimeZone, Utc};
use kefu_core::Store;
use kefu_core::model::Channel;
use kefu_core::store::NewTicket;
use kefu_core::store::write::TicketField;
use serde_json::Value;

/// Returns a local time in the built-in SLA calendar's time zone,
/// Asia/Shanghai, which the reports use and which is UTC+8 all year.
fn local(month: u32, day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    FixedOffset::east_opt(8 * 3600)
        .unwrap()
        .with_ymd_and_hms(2026, month, day, hour, minute, 0)
        .unwrap()
        .with_timezone(&Utc)
}

fn kefu(folder: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kefu"))
        .arg("--db")
        .arg(folder.join("kefu.db"))
        .arg("--config")
        .arg(folder.join("config"))
        .args(args)
        .env_remove("KEFU_DB")
        .env("XDG_CACHE_HOME", folder.join("cache"))
        .output()
        .expect("running kefu")
}

fn succeeded(output: &Output) -> String {
    assert!(
        output.status.success(),
        "kefu failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn failed(output: &Output) -> String {
    assert!(!output.status.success(), "kefu succeeded unexpectedly");
    String::from_utf8(output.stderr.clone()).unwrap()
}

/// One ticket: customer address, agent, type, opened, resolved.
type Spec<'a> = (
    &'a str,
    Option<&'a str>,
    &'a str,
    DateTime<Utc>,
    Option<DateTime<Utc>>,
);

/// Creates a database in `folder` with the tickets of `specs` and returns
/// their ids.
fn database(folder: &Path, specs: &[Spec<'_>]) -> Vec<i64> {
    let mut store = Store::open(&folder.join("kefu.db")).unwrap();
    let writer = store.writer().unwrap();
    let mut ids = Vec::new();
    for (customer, agent, ticket_type, opened, resolved) in specs {
        let (customer, _) = writer
            .find_or_create_customer(Channel::Email, customer, None, *opened)
            .unwrap();
        let conversation = writer
            .create_conversation(Channel::Email, customer.id, None, Some("help"), *opened)
            .unwrap();
        let ticket = NewTicket {
            conversation_id: conversation,
            subject: Some("help"),
            ticket_type,
            priority: "normal",
            source: Channel::Email,
            actor: "system",
            reason: "test ticket",
        };
        let id = writer.open_ticket(&ticket, *opened).unwrap();
        if let Some(agent) = agent {
            writer
                .set_ticket_field(id, TicketField::Assignee, agent, "system", "test", *opened)
                .unwrap();
        }
        if let Some(resolved) = resolved {
            writer
                .set_ticket_field(
                    id,
                    TicketField::Status,
                    "resolved",
                    "system",
                    "test",
                    *resolved,
                )
                .unwrap();
        }
        ids.push(id);
    }
    writer.commit().unwrap();
    ids
}

/// Finds a Python with openpyxl: Debian's python3-openpyxl, which a Python
/// on the PATH (such as one from pyenv) may not see. `None` when there is
/// none.
fn openpyxl_python() -> Option<&'static str> {
    ["python3", "/usr/bin/python3"].into_iter().find(|python| {
        Command::new(python)
            .args(["-c", "import openpyxl"])
            .output()
            .is_ok_and(|output| output.status.success())
    })
}

/// Returns a Python with openpyxl, or `None` after printing why the test is
/// skipped. Panics when KEFU_REQUIRE_SERVERS=1, as CI sets.
fn require_openpyxl() -> Option<&'static str> {
    let python = openpyxl_python();
    if python.is_none() {
        let message = "openpyxl is not installed (apt-get install python3-openpyxl)";
        if std::env::var("KEFU_REQUIRE_SERVERS").as_deref() == Ok("1") {
            panic!("{message}, and KEFU_REQUIRE_SERVERS=1 requires it");
        }
        eprintln!("skipping: {message}");
    }
    python
}

/// Reads a workbook with openpyxl. Returns, per sheet, `max_row` and the
/// rows listed in `rows` (1-based, negative from the end), each cell as
/// `[python type, value, number format]`, plus the chart parts in the file.
fn read_xlsx(python: &str, path: &Path, rows: &[i64]) -> Value {
    const SCRIPT: &str = r#"
import json, sys, zipfile
import openpyxl
path, wanted = sys.argv[1], json.loads(sys.argv[2])
book = openpyxl.load_workbook(path)
result = {"sheets": book.sheetnames, "charts": sorted(
    name for name in zipfile.ZipFile(path).namelist() if name.startswith("xl/charts/"))}
for sheet in book.worksheets:
    picked = {}
    for number in wanted:
        row = number if number > 0 else sheet.max_row + 1 + number
        if 1 <= row <= sheet.max_row:
            picked[str(number)] = [
                [type(cell.value).__name__,
                 cell.value.isoformat() if hasattr(cell.value, "isoformat") else cell.value,
                 cell.number_format]
                for cell in sheet[row]]
    result[sheet.title] = {"max_row": sheet.max_row, "rows": picked,
                           "header_bold": bool(sheet.cell(1, 1).font.b)}
print(json.dumps(result))
"#;
    let output = Command::new(python)
        .args(["-c", SCRIPT])
        .arg(path)
        .arg(serde_json::to_string(rows).unwrap())
        .output()
        .expect("running python");
    assert!(
        output.status.success(),
        "openpyxl failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

/// Returns the cell of `row` under the header `name`, as
/// `[type, value, format]`.
fn cell<'a>(sheet: &'a Value, row: i64, name: &str) -> &'a Value {
    let header = sheet["rows"]["1"].as_array().unwrap();
    let column = header
        .iter()
        .position(|cell| cell[1] == name)
        .unwrap_or_else(|| panic!("no column {name}"));
    &sheet["rows"][row.to_string()][column]
}

fn agent_specs() -> Vec<Spec<'static>> {
    vec![
        (
            "a@example.cn",
            Some("lin"),
            "pre-sales",
            local(11, 2, 9, 0),
            Some(local(11, 2, 11, 0)),
        ),
        (
            "b@example.cn",
            Some("lin"),
            "pre-sales",
            local(11, 3, 9, 0),
            Some(local(11, 3, 10, 0)),
        ),
        (
            "c@example.cn",
            Some("wang"),
            "after-sales",
            local(11, 4, 9, 0),
            None,
        ),
    ]
}

#[test]
fn xlsx_by_agent_reads_back() {
    let Some(python) = require_openpyxl() else {
        return;
    };
    let folder = tempfile::tempdir().unwrap();
    let ids = database(folder.path(), &agent_specs());
    let ratings = folder.path().join("ratings.csv");
    std::fs::write(
        &ratings,
        format!(
            "ticket,score,rated_at,comment\n{},5,2026-11-05 10:00,fast\n{},3,2026-11-05T12:00:00+08:00,\n",
            ids[0], ids[1]
        ),
    )
    .unwrap();
    let imported = succeeded(&kefu(
        folder.path(),
        &["ratings", "import", ratings.to_str().unwrap()],
    ));
    assert!(
        imported.contains("stored 2 rating(s), 0 already stored"),
        "{imported}"
    );

    let path = folder.path().join("november.xlsx");
    let printed = succeeded(&kefu(
        folder.path(),
        &[
            "report",
            "--period",
            "2026-11",
            "--by",
            "agent",
            "--format",
            "xlsx",
            "-o",
            path.to_str().unwrap(),
        ],
    ));
    assert!(printed.contains("2 metric rows"), "{printed}");

    let book = read_xlsx(python, &path, &[1, 2, 3]);
    assert_eq!(
        book["sheets"],
        serde_json::json!(["Metrics", "Peak hours", "Recurring questions", "About"])
    );
    assert_eq!(
        book["charts"].as_array().unwrap().len(),
        2,
        "{}",
        book["charts"]
    );
    let metrics = &book["Metrics"];
    assert_eq!(metrics["max_row"], 3);
    assert_eq!(metrics["header_bold"], true);
    assert_eq!(cell(metrics, 2, "agent")[1], "lin");
    assert_eq!(cell(metrics, 2, "created")[1], 2);
    assert_eq!(cell(metrics, 2, "created")[0], "int");
    assert_eq!(cell(metrics, 2, "resolved")[1], 2);
    // lin: 2 h and 1 h to resolve, all in business hours.
    assert_eq!(cell(metrics, 2, "resolution_avg_h")[1], 1.5);
    assert_eq!(cell(metrics, 2, "resolution_avg_h")[0], "float");
    assert_eq!(cell(metrics, 2, "resolution_business_p90_h")[1], 2);
    // One of two ratings is 4 or 5.
    assert_eq!(cell(metrics, 2, "csat")[1], 0.5);
    assert_eq!(cell(metrics, 2, "csat")[2], "0.0%");
    assert_eq!(cell(metrics, 2, "csat_responses")[1], 2);
    assert_eq!(cell(metrics, 3, "agent")[1], "wang");
    assert_eq!(cell(metrics, 3, "backlog")[1], 1);
    // No resolution: an empty cell, not 0.
    assert_eq!(cell(metrics, 3, "resolution_avg_h")[0], "NoneType");
    assert_eq!(cell(metrics, 3, "working_hours")[1], 168);
    assert_eq!(book["Peak hours"]["max_row"], 25);
}

#[test]
fn xlsx_by_hour_not_truncated() {
    let Some(python) = require_openpyxl() else {
        return;
    };
    let folder = tempfile::tempdir().unwrap();
    database(
        folder.path(),
        &[
            ("a@example.cn", None, "pre-sales", local(1, 5, 10, 15), None),
            (
                "b@example.cn",
                None,
                "pre-sales",
                local(12, 31, 23, 30),
                None,
            ),
        ],
    );
    let path = folder.path().join("year.xlsx");
    succeeded(&kefu(
        folder.path(),
        &[
            "report",
            "--period",
            "2026",
            "--by",
            "hour",
            "-o",
            path.to_str().unwrap(),
        ],
    ));

    let book = read_xlsx(python, &path, &[1, 2, -1]);
    let metrics = &book["Metrics"];
    // 365 days of 24 hours (Shanghai has no daylight saving), plus the header.
    assert_eq!(metrics["max_row"], 8761);
    assert_eq!(cell(metrics, 2, "hour")[0], "datetime");
    assert_eq!(cell(metrics, 2, "hour")[1], "2026-01-01T00:00:00");
    assert_eq!(cell(metrics, 2, "hour")[2], "yyyy-mm-dd hh:mm");
    assert_eq!(cell(metrics, -1, "hour")[1], "2026-12-31T23:00:00");
    assert_eq!(cell(metrics, -1, "created")[1], 1);
    // Both tickets are still open at the end of the year.
    assert_eq!(cell(metrics, -1, "backlog")[1], 2);
    assert_eq!(cell(metrics, 2, "backlog")[1], 0);
}

#[test]
fn csv_export_parses_back() {
    let folder = tempfile::tempdir().unwrap();
    database(folder.path(), &agent_specs());
    let path = folder.path().join("by-day.csv");
    let printed = succeeded(&kefu(
        folder.path(),
        &[
            "report",
            "--period",
            "2026-11",
            "--by",
            "day,agent",
            "--format",
            "csv",
            "-o",
            path.to_str().unwrap(),
        ],
    ));
    assert!(printed.contains("by-day-peak-hours.csv"), "{printed}");

    let mut reader = csv::Reader::from_path(&path).unwrap();
    let headers = reader.headers().unwrap().clone();
    assert_eq!(&headers[0], "day");
    assert_eq!(&headers[1], "agent");
    let created = headers.iter().position(|name| name == "created").unwrap();
    let backlog = headers.iter().position(|name| name == "backlog").unwrap();
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let find = |day: &str, agent: &str| {
        records
            .iter()
            .find(|record| &record[0] == day && &record[1] == agent)
            .unwrap_or_else(|| panic!("no row {day} {agent}"))
    };
    assert_eq!(&find("2026-11-02", "lin")[created], "1");
    assert_eq!(&find("2026-11-04", "wang")[created], "1");
    // wang's ticket stays open to the end of the month.
    assert_eq!(&find("2026-11-30", "wang")[backlog], "1");
    // A day with nothing for lin has no lin row.
    assert!(
        !records
            .iter()
            .any(|record| &record[0] == "2026-11-30" && &record[1] == "lin")
    );

    let peak = std::fs::read_to_string(folder.path().join("by-day-peak-hours.csv")).unwrap();
    assert_eq!(peak.lines().count(), 25);
}

#[test]
fn report_format_errors() {
    let folder = tempfile::tempdir().unwrap();
    database(folder.path(), &agent_specs());
    let error = failed(&kefu(
        folder.path(),
        &[
            "report", "--period", "2026-11", "--format", "pdf", "-o", "x.pdf",
        ],
    ));
    assert!(error.contains("PDF export"), "{error}");
    let error = failed(&kefu(folder.path(), &["report", "--period", "2026-13"]));
    assert!(error.contains("--period \"2026-13\""), "{error}");
    let error = failed(&kefu(
        folder.path(),
        &["report", "--period", "2026-11", "--by", "team"],
    ));
    assert!(error.contains("--by \"team\""), "{error}");
    let error = failed(&kefu(folder.path(), &["report", "--by", "agent"]));
    assert!(error.contains("--period is missing"), "{error}");
    let text = succeeded(&kefu(folder.path(), &["report", "--period", "2026-11"]));
    assert!(text.contains("Asia/Shanghai"), "{text}");
    assert!(text.contains("2026-11-01..2026-11-30"), "{text}");
}

#[test]
fn ratings_import_line_errors() {
    let folder = tempfile::tempdir().unwrap();
    let ids = database(folder.path(), &agent_specs());
    let path: PathBuf = folder.path().join("bad.csv");
    std::fs::write(
        &path,
        format!(
            "ticket,score,rated_at\n{},5,2026-11-05 10:00\n{},6,2026-11-05 10:00\nabc,4,yesterday\n99999,4,2026-11-05\n",
            ids[0], ids[1]
        ),
    )
    .unwrap();
    let error = failed(&kefu(
        folder.path(),
        &["ratings", "import", path.to_str().unwrap()],
    ));
    assert!(error.contains("line 3: score \"6\""), "{error}");
    assert!(error.contains("line 4: ticket \"abc\""), "{error}");
    assert!(error.contains("line 4: rated_at \"yesterday\""), "{error}");
    assert!(error.contains("nothing was imported"), "{error}");

    // With the format fixed, the unknown ticket is reported by line.
    std::fs::write(
        &path,
        format!(
            "ticket,score,rated_at\n{},5,2026-11-05 10:00\n99999,4,2026-11-05\n",
            ids[0]
        ),
    )
    .unwrap();
    let error = failed(&kefu(
        folder.path(),
        &["ratings", "import", path.to_str().unwrap()],
    ));
    assert!(error.contains("line 3: ticket 99999 not found"), "{error}");

    std::fs::write(
        &path,
        format!("ticket,score,rated_at\n{},5,2026-11-05 10:00\n", ids[0]),
    )
    .unwrap();
    let first = succeeded(&kefu(
        folder.path(),
        &["ratings", "import", path.to_str().unwrap()],
    ));
    assert!(
        first.contains("stored 1 rating(s), 0 already stored"),
        "{first}"
    );
    let again = succeeded(&kefu(
        folder.path(),
        &["ratings", "import", path.to_str().unwrap()],
    ));
    assert!(
        again.contains("stored 0 rating(s), 1 already stored"),
        "{again}"
    );

    let error = failed(&kefu(folder.path(), &["ratings", "import", "missing.csv"]));
    assert!(error.contains("missing.csv"), "{error}");
}

#[test]
fn widget_form_still_runs() {
    let folder = tempfile::tempdir().unwrap();
    database(folder.path(), &agent_specs());
    let listed = succeeded(&kefu(folder.path(), &["report"]));
    assert!(listed.contains("messages-per-day"), "{listed}");
    let path = folder.path().join("widget.csv");
    succeeded(&kefu(
        folder.path(),
        &[
            "report",
            "messages-per-day",
            "--param",
            "days=30",
            "-o",
            path.to_str().unwrap(),
        ],
    ));
    let csv = std::fs::read_to_string(&path).unwrap();
    assert!(csv.lines().count() > 1, "{csv}");
}

#[test]
fn generated_demo_reports() {
    let folder = tempfile::tempdir().unwrap();
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures");
    let demo_args = [
        "demo",
        "--customers",
        "50",
        "--days",
        "30",
        "--end",
        "2026-12-01",
        "--seed",
        "5",
        "--no-app",
        "--samples",
        samples.to_str().unwrap(),
    ];
    let printed = succeeded(&kefu(folder.path(), &demo_args));
    assert!(printed.contains("Customers:  50 ("), "{printed}");
    assert!(printed.contains("Tickets:    50 ("), "{printed}");
    // The sample inputs are imported after the generated history.
    assert!(printed.contains("Messages stored:      350"), "{printed}");

    let path = folder.path().join("november.csv");
    succeeded(&kefu(
        folder.path(),
        &[
            "report",
            "--period",
            "2026-11",
            "--by",
            "agent",
            "--format",
            "csv",
            "-o",
            path.to_str().unwrap(),
        ],
    ));
    let mut reader = csv::Reader::from_path(&path).unwrap();
    let headers = reader.headers().unwrap().clone();
    let column = |name: &str| headers.iter().position(|header| header == name).unwrap();
    let (created, resolved, csat) = (column("created"), column("resolved"), column("csat"));
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let sum = |index: usize| -> u64 {
        records
            .iter()
            .map(|record| record[index].parse::<u64>().unwrap())
            .sum()
    };
    // The 30 days before 2026-12-01 are all of November.
    assert_eq!(sum(created), 50);
    assert!(sum(resolved) > 0);
    assert!(records.iter().any(|record| !record[csat].is_empty()));
    // The imported samples' unassigned tickets are older and only in the
    // backlog, so every ticket created in November has an agent.
    for record in &records {
        if &record[created] != "0" {
            assert!(record[0].contains('.'), "{record:?}");
        }
    }

    let error = failed(&kefu(folder.path(), &demo_args));
    assert!(
        error.contains("holds generated demo data already"),
        "{error}"
    );
}
