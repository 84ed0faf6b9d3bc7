//! `kefu report --period` and `kefu ratings import` run as a user would, on a
//! real database file built through the store's write API or by `kefu
//! ingest` of the sample inputs. Excel files are read back with openpyxl,
//! CSV files with the csv crate, PDF files with poppler-utils.

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

/// Generates a year of demo data with `tickets` tickets into the database
/// in `folder`: the whole of 2026 in Shanghai time.
fn demo_year(folder: &Path, tickets: u32) {
    use kefu_core::demo::{DemoOptions, generate};

    let mut store = Store::open(&folder.join("kefu.db")).unwrap();
    let end = local(12, 31, 0, 0) + chrono::Duration::days(1);
    let mut options = DemoOptions::new(2_000, 365, 7, end);
    options.tickets = tickets;
    options.agents = options.default_agents();
    generate(&mut store, &options, &mut |_, _| {}).unwrap();
}

/// Zammad's reporting export stops at 6,000 entries
/// (https://github.com/zammad/zammad/issues/2433). This export writes
/// every row, one per ticket, and draws no progress bar when standard
/// error is a pipe.
#[test]
fn xlsx_by_ticket_not_truncated() {
    let Some(python) = require_openpyxl() else {
        return;
    };
    let folder = tempfile::tempdir().unwrap();
    demo_year(folder.path(), 10_000);
    let path = folder.path().join("tickets.xlsx");
    let output = kefu(
        folder.path(),
        &[
            "report",
            "--period",
            "2026",
            "--by",
            "ticket",
            "-o",
            path.to_str().unwrap(),
        ],
    );
    let printed = succeeded(&output);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.trim().is_empty(), "progress on a pipe: {stderr}");

    let expected = period_report(folder.path(), "2026", "ticket");
    // Every generated ticket opened in 2026, so each has a row.
    assert_eq!(expected.rows.len(), 10_000);
    let rows = expected.rows.len();
    assert!(
        printed.contains(&format!("({rows} metric rows)")),
        "{printed}"
    );
    let book = read_xlsx(python, &path, &[1, 2, -1]);
    let metrics = &book["Metrics"];
    assert_eq!(metrics["max_row"], rows + 1);
    let (first, last) = (&expected.rows[0], &expected.rows[rows - 1]);
    assert_eq!(cell(metrics, 2, "ticket")[1], first.key[0].as_str());
    assert_eq!(cell(metrics, -1, "ticket")[1], last.key[0].as_str());
    assert_eq!(cell(metrics, -1, "created")[1], last.created);
    assert_eq!(
        cell(metrics, -1, "messages_handled")[1],
        last.messages_handled
    );
}

/// Runs `kefu` with `args` on a pseudo-terminal through util-linux
/// `script`, and returns what the terminal showed, or `None` when `script`
/// is missing.
fn kefu_on_terminal(folder: &Path, args: &[&str]) -> Option<String> {
    let quote = |text: &str| format!("'{}'", text.replace('\'', "'\\''"));
    let mut command_line = vec![
        quote(env!("CARGO_BIN_EXE_kefu")),
        "--db".to_string(),
        quote(folder.join("kefu.db").to_str().unwrap()),
        "--config".to_string(),
        quote(folder.join("config").to_str().unwrap()),
    ];
    command_line.extend(args.iter().map(|arg| quote(arg)));
    let output = Command::new("script")
        .args(["-qec", &command_line.join(" "), "/dev/null"])
        .env_remove("KEFU_DB")
        .env("XDG_CACHE_HOME", folder.join("cache"))
        .output();
    match output {
        Ok(output) => {
            assert!(output.status.success(), "{output:?}");
            Some(String::from_utf8_lossy(&output.stdout).into_owned())
        }
        Err(error) => {
            eprintln!("skipping: util-linux script cannot run ({error})");
            None
        }
    }
}

#[test]
fn progress_bar_on_terminal() {
    let folder = tempfile::tempdir().unwrap();
    database(
        folder.path(),
        &[("a@example.cn", None, "pre-sales", local(1, 5, 10, 15), None)],
    );
    let path = folder.path().join("year.xlsx");
    let Some(shown) = kefu_on_terminal(
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
    ) else {
        return;
    };
    assert!(shown.contains("writing"), "{shown}");
    assert!(shown.contains("/8760 rows"), "{shown}");
    assert!(shown.contains("(8760 metric rows)"), "{shown}");
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
        &["report", "--period", "2026-11", "--format", "pdf"],
    ));
    assert!(error.contains("add -o FILE"), "{error}");
    let error = failed(&kefu(
        folder.path(),
        &["report", "--period", "2026-11", "--format", "odt"],
    ));
    assert!(error.contains("--format \"odt\""), "{error}");
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
fn dashboard_widget_runs_with_parameters() {
    let folder = tempfile::tempdir().unwrap();
    database(folder.path(), &agent_specs());
    let listed = succeeded(&kefu(folder.path(), &["report"]));
    assert!(listed.contains("  ticket-volume: "), "{listed}");
    assert!(
        listed.contains("  hour-of-week: columns weekday"),
        "{listed}"
    );

    let path = folder.path().join("volume.csv");
    succeeded(&kefu(
        folder.path(),
        &[
            "report",
            "ticket-volume",
            "--param",
            "period=2026-11",
            "--param",
            "dimension=agent",
            "-o",
            path.to_str().unwrap(),
        ],
    ));
    // lin's two tickets were resolved the day they came in; wang's is open.
    let csv = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines, ["category,Created,Resolved", "lin,2,2", "wang,1,0"]);

    let error = failed(&kefu(
        folder.path(),
        &["report", "ticket-volume", "--param", "period=2026-13"],
    ));
    assert!(error.contains("\"2026-13\""), "{error}");
}

/// Returns whether poppler-utils (`pdftotext`, `pdfinfo`, `pdffonts`,
/// `pdftoppm`) is installed, after printing why the test is skipped when
/// not. Panics when KEFU_REQUIRE_SERVERS=1, as CI sets.
fn require_poppler() -> bool {
    let installed = Command::new("pdfinfo")
        .arg("-v")
        .output()
        .is_ok_and(|output| output.status.success());
    if !installed {
        let message = "poppler-utils is not installed (apt-get install poppler-utils)";
        if std::env::var("KEFU_REQUIRE_SERVERS").as_deref() == Ok("1") {
            panic!("{message}, and KEFU_REQUIRE_SERVERS=1 requires it");
        }
        eprintln!("skipping: {message}");
    }
    installed
}

/// Runs a poppler tool and returns its standard output.
fn poppler(tool: &str, args: &[&str]) -> String {
    let output = Command::new(tool)
        .args(args)
        .output()
        .expect("running poppler");
    assert!(
        output.status.success(),
        "{tool} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// Imports the sample Twitter support chats (October and November 2017)
/// and Asterisk call records (June 2017) with `kefu ingest`.
fn ingest_fixtures(folder: &Path) {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures");
    let printed = succeeded(&kefu(
        folder,
        &[
            "ingest",
            fixtures
                .join("chat/twcs-sample-64rows.csv")
                .to_str()
                .unwrap(),
            fixtures
                .join("phone/asterisk-Master-pseudonymized-218rows.csv")
                .to_str()
                .unwrap(),
        ],
    ));
    assert!(!printed.is_empty());
}

/// Computes the 2017 report of the database in `folder` with the metrics
/// module, as `kefu report --period 2017 --by BY` does.
fn expected_report(folder: &Path, by: &str) -> kefu_core::metrics::MetricsReport {
    period_report(folder, "2017", by)
}

/// Computes the report of `period` grouped `by` of the database in
/// `folder` with the metrics module.
fn period_report(folder: &Path, period: &str, by: &str) -> kefu_core::metrics::MetricsReport {
    use kefu_core::desk::Desk;
    use kefu_core::metrics::{Dimension, Filters, MetricsQuery, compute, parse_period};

    let mut store = Store::open_existing(&folder.join("kefu.db")).unwrap();
    store.set_desk(Desk::load(&folder.join("config")).unwrap());
    let time_zone = store.desk().sla.calendar().time_zone();
    let query = MetricsQuery {
        period: parse_period(period, time_zone).unwrap(),
        by: vec![Dimension::parse(by).unwrap()],
        filters: Filters::default(),
        now: Utc::now(),
        recurring_limit: 50,
    };
    compute(&store, &query).unwrap()
}

/// Formats a metric as the PDF tables do.
fn pdf_value(value: Option<f64>, kind: kefu_core::metrics::MetricKind) -> String {
    use kefu_core::metrics::MetricKind;
    match (value, kind) {
        (None, _) => "–".to_string(),
        (Some(value), MetricKind::Count) => format!("{value:.0}"),
        (Some(value), MetricKind::Hours) => format!("{value:.2}"),
        (Some(value), MetricKind::Percent) => format!("{:.1}%", value * 100.0),
        (Some(value), MetricKind::Rate) => format!("{value:.3}"),
    }
}

/// Returns the table rows of `text` whose first word is `key`, split into
/// words. A table row has at least five figures after the key, which
/// leaves out chart axis labels.
fn rows_starting_with<'a>(text: &'a str, key: &str) -> Vec<Vec<&'a str>> {
    let is_figure = |word: &str| word == "–" || word.trim_end_matches('%').parse::<f64>().is_ok();
    text.lines()
        .map(|line| line.split_whitespace().collect::<Vec<_>>())
        .filter(|words| words.first() == Some(&key))
        .filter(|words| words.len() >= 6 && words[1..].iter().all(|word| is_figure(word)))
        .collect()
}

/// Renders every page with pdftoppm and checks that each has ink.
fn assert_every_page_renders(pdf: &Path, pages: usize) {
    let prefix = pdf.with_extension("page");
    poppler(
        "pdftoppm",
        &[
            "-r",
            "12",
            "-gray",
            pdf.to_str().unwrap(),
            prefix.to_str().unwrap(),
        ],
    );
    let folder = pdf.parent().unwrap();
    let stem = prefix.file_name().unwrap().to_str().unwrap().to_string();
    let mut images: Vec<PathBuf> = std::fs::read_dir(folder)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| {
            path.file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with(&format!("{stem}-"))
        })
        .collect();
    images.sort();
    assert_eq!(images.len(), pages, "pdftoppm rendered {images:?}");
    for image in images {
        let bytes = std::fs::read(&image).unwrap();
        // A PGM file: the header "P5\nWIDTH HEIGHT\n255\n", then one byte a pixel.
        assert!(bytes.starts_with(b"P5"), "{}", image.display());
        let dark = bytes.iter().skip(20).filter(|pixel| **pixel < 128).count();
        assert!(dark > 0, "{} is blank", image.display());
    }
}

fn pdf_page_count(pdf: &Path) -> usize {
    let info = poppler("pdfinfo", &[pdf.to_str().unwrap()]);
    info.lines()
        .find_map(|line| line.strip_prefix("Pages:"))
        .unwrap_or_else(|| panic!("no page count in {info}"))
        .trim()
        .parse()
        .unwrap()
}

#[test]
fn pdf_by_channel_from_fixtures() {
    if !require_poppler() {
        return;
    }
    let folder = tempfile::tempdir().unwrap();
    ingest_fixtures(folder.path());
    let report = expected_report(folder.path(), "channel");
    assert!(
        report.rows.iter().map(|row| row.created).sum::<u64>() > 0,
        "the fixtures opened no ticket in 2017"
    );

    let path = folder.path().join("2017.pdf");
    let printed = succeeded(&kefu(
        folder.path(),
        &[
            "report",
            "--period",
            "2017",
            "--by",
            "channel",
            "-o",
            path.to_str().unwrap(),
        ],
    ));
    assert!(printed.contains("pages)"), "{printed}");
    let pages = pdf_page_count(&path);
    assert!(printed.contains(&format!("{pages} pages")), "{printed}");

    let text = poppler("pdftotext", &["-layout", path.to_str().unwrap(), "-"]);
    for heading in [
        "客服指标报表",
        "期间 Period：2017-01-01..2017-12-31",
        "时区 Time zone：Asia/Shanghai",
        "分组 Grouped by：渠道 channel",
        "筛选 Filters：无，所有工单",
        "工单量 Volume",
        "首次响应时间（小时）",
        "解决时间（小时）",
        "满意度与 SLA",
        "高峰时段 Peak hours",
        "新建与已解决工单",
        "渠道",
        "积压",
        &format!("第 1 页，共 {pages} 页"),
        &format!("第 {pages} 页，共 {pages} 页"),
    ] {
        assert!(text.contains(heading), "no {heading:?} in:\n{text}");
    }

    // Each row's figures follow its channel in the section tables, in
    // column order: volume, then first response, resolution, CSAT and SLA.
    let columns = kefu_core::metrics::metric_columns();
    let section_keys: [&[&str]; 4] = [
        &[
            "created",
            "resolved",
            "backlog",
            "messages_handled",
            "working_hours",
            "resolved_per_working_hour",
            "reopen_rate",
        ],
        &[
            "first_response_avg_h",
            "first_response_median_h",
            "first_response_p90_h",
            "first_response_business_avg_h",
            "first_response_business_median_h",
            "first_response_business_p90_h",
        ],
        &[
            "resolution_avg_h",
            "resolution_median_h",
            "resolution_p90_h",
            "resolution_business_avg_h",
            "resolution_business_median_h",
            "resolution_business_p90_h",
        ],
        &[
            "csat",
            "csat_responses",
            "sla_breach_rate",
            "sla_met",
            "sla_breached",
        ],
    ];
    for row in &report.rows {
        let key = &row.key[0];
        let lines = rows_starting_with(&text, key);
        assert_eq!(lines.len(), 4, "rows of {key}: {lines:?}");
        for (line, keys) in lines.iter().zip(section_keys) {
            let expected: Vec<String> = keys
                .iter()
                .map(|name| {
                    let column = columns
                        .iter()
                        .find(|column| column.header == *name)
                        .unwrap();
                    pdf_value((column.value)(row), column.kind)
                })
                .collect();
            assert_eq!(line[1..], expected, "{key}: {keys:?}");
        }
    }

    let fonts = poppler("pdffonts", &[path.to_str().unwrap()]);
    let embedded = fonts
        .lines()
        .skip(2)
        .filter(|line| {
            let words: Vec<&str> = line.split_whitespace().collect();
            words.len() >= 5 && words[words.len() - 5..words.len() - 2] == ["yes", "yes", "yes"]
        })
        .count();
    assert!(embedded > 0, "no embedded subset font:\n{fonts}");
    assert_every_page_renders(&path, pages);
}

#[test]
fn pdf_pages_grow_with_rows() {
    if !require_poppler() {
        return;
    }
    let folder = tempfile::tempdir().unwrap();
    ingest_fixtures(folder.path());
    let export = |by: &str| {
        let path = folder.path().join(format!("{by}.pdf"));
        succeeded(&kefu(
            folder.path(),
            &[
                "report",
                "--period",
                "2017",
                "--by",
                by,
                "--format",
                "pdf",
                "-o",
                path.to_str().unwrap(),
            ],
        ));
        path
    };
    let by_month = export("month");
    let by_day = export("day");
    let month_pages = pdf_page_count(&by_month);
    let day_pages = pdf_page_count(&by_day);
    // 365 rows in each of the four metric tables, at most about 30 a page.
    assert!(day_pages >= 4 * 365 / 30, "{day_pages} pages by day");
    assert!(
        day_pages > month_pages + 30,
        "{day_pages} pages by day, {month_pages} by month"
    );

    // Every day is a row of every metric table, with the figures the
    // metrics module computes, so nothing is cut off.
    let report = expected_report(folder.path(), "day");
    assert_eq!(report.rows.len(), 365);
    let text = poppler("pdftotext", &["-layout", by_day.to_str().unwrap(), "-"]);
    for row in &report.rows {
        let lines = rows_starting_with(&text, &row.key[0]);
        assert_eq!(lines.len(), 4, "rows of {}: {lines:?}", row.key[0]);
        assert_eq!(lines[0][1], row.created.to_string(), "{}", row.key[0]);
        assert_eq!(lines[0][3], row.backlog.to_string(), "{}", row.key[0]);
    }
    assert!(text.contains("（续 continued）"), "no continued table");
    assert_every_page_renders(&by_day, day_pages);
}

/// With fontconfig pointed at a folder without fonts, the PDF export fails
/// with the packages to install and writes no file.
#[test]
fn pdf_without_cjk_font_fails() {
    let folder = tempfile::tempdir().unwrap();
    database(folder.path(), &agent_specs());
    let fonts = folder.path().join("fonts");
    std::fs::create_dir(&fonts).unwrap();
    let config = folder.path().join("fonts.conf");
    std::fs::write(
        &config,
        format!("<fontconfig><dir>{}</dir></fontconfig>\n", fonts.display()),
    )
    .unwrap();
    let path = folder.path().join("november.pdf");
    let output = Command::new(env!("CARGO_BIN_EXE_kefu"))
        .arg("--db")
        .arg(folder.path().join("kefu.db"))
        .arg("--config")
        .arg(folder.path().join("config"))
        .args(["report", "--period", "2026-11", "-o"])
        .arg(&path)
        .env_remove("KEFU_DB")
        .env("FONTCONFIG_FILE", &config)
        .output()
        .expect("running kefu");
    let error = failed(&output);
    assert!(error.contains("no CJK font found"), "{error}");
    assert!(error.contains("fonts-wqy-microhei"), "{error}");
    assert!(!path.exists());
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
