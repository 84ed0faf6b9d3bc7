//! `kefu phrases` run as a user would, on a real database file with
//! tickets opened by ingesting chat samples.

use std::path::{Path, PathBuf};

use super::support::{json, kefu, repository, stderr, stdout};

fn phrase_fixtures() -> PathBuf {
    repository().join("tests/fixtures/phrases")
}

fn starter_file() -> PathBuf {
    repository().join("docs/examples/phrases.toml")
}

fn path_arg(path: &Path) -> &str {
    path.to_str().expect("UTF-8 path")
}

/// Creates a database with the starter library imported and returns its
/// folder and path.
fn database_with_starter_library() -> (tempfile::TempDir, PathBuf) {
    let folder = tempfile::tempdir().unwrap();
    let db = folder.path().join("kefu.db");
    stdout(&kefu(
        &db,
        &["phrases", "import", path_arg(&starter_file())],
    ));
    (folder, db)
}

/// Ingests the Chinese chat and Twitter samples, which open one ticket per
/// conversation.
fn ingest_samples(db: &Path) {
    let chat = phrase_fixtures().join("chat-zh.jsonl");
    let twitter = phrase_fixtures().join("twcs-rows.csv");
    stdout(&kefu(db, &["ingest", path_arg(&chat), path_arg(&twitter)]));
}

/// Returns the id of the ticket whose subject is `subject`.
fn ticket_with_subject(db: &Path, subject: &str) -> String {
    let tickets = json(&kefu(db, &["tickets", "--json"]));
    tickets
        .as_array()
        .unwrap()
        .iter()
        .find(|ticket| ticket["subject"].as_str() == Some(subject))
        .unwrap_or_else(|| panic!("no ticket with subject {subject:?}: {tickets:#}"))["id"]
        .to_string()
}

fn suggested_ids(suggestions: &serde_json::Value) -> Vec<String> {
    suggestions
        .as_array()
        .unwrap()
        .iter()
        .map(|suggestion| suggestion["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn import_reports_counts_and_reimport_is_unchanged() {
    let folder = tempfile::tempdir().unwrap();
    let db = folder.path().join("kefu.db");
    let first = json(&kefu(
        &db,
        &["phrases", "import", "--json", path_arg(&starter_file())],
    ));
    let added = first["added"].as_u64().unwrap();
    assert!(added >= 15, "{first}");
    assert_eq!(first["updated"], 0);

    let again = stdout(&kefu(
        &db,
        &["phrases", "import", path_arg(&starter_file())],
    ));
    assert!(again.contains("Added:      0"), "{again}");
    assert!(again.contains(&format!("Unchanged:  {added}")), "{again}");

    let csv = phrase_fixtures().join("update-with-bom.csv");
    let update = json(&kefu(&db, &["phrases", "import", "--json", path_arg(&csv)]));
    assert_eq!(update["added"], 1, "{update}");
    assert_eq!(update["updated"], 1, "{update}");
}

#[test]
fn list_filters_and_prints_table() {
    let (_folder, db) = database_with_starter_library();
    let table = stdout(&kefu(&db, &["phrases", "list"]));
    assert!(table.contains("refund-policy"), "{table}");
    assert!(table.contains("退款政策 Refund policy"), "{table}");

    let logistics = json(&kefu(
        &db,
        &["phrases", "list", "--category", "logistics", "--json"],
    ));
    let categories: Vec<&str> = logistics
        .as_array()
        .unwrap()
        .iter()
        .map(|phrase| phrase["category"].as_str().unwrap())
        .collect();
    assert!(!categories.is_empty());
    assert!(categories.iter().all(|category| *category == "logistics"));

    let search = json(&kefu(
        &db,
        &["phrases", "list", "--search", "发票", "--json"],
    ));
    assert_eq!(search.as_array().unwrap().len(), 1, "{search:#}");
    assert_eq!(search[0]["id"], "invoice-request");
}

#[test]
fn add_show_and_remove_phrase() {
    let (_folder, db) = database_with_starter_library();
    let added = stdout(&kefu(
        &db,
        &[
            "phrases",
            "add",
            "gift-wrap",
            "--category",
            "pre-sales",
            "--title",
            "礼品包装 Gift wrapping",
            "--body",
            "{{customer.name}}您好，可以免费礼品包装。",
            "--keyword",
            "礼品包装",
            "--keyword",
            "gift wrap",
        ],
    ));
    assert!(added.contains("phrase gift-wrap added"), "{added}");

    let show_output = stdout(&kefu(&db, &["phrases", "show", "gift-wrap"]));
    assert!(show_output.contains("礼品包装, gift wrap"), "{show_output}");
    assert!(
        show_output.contains("{{customer.name}}您好，可以免费礼品包装。"),
        "{show_output}"
    );

    stdout(&kefu(&db, &["phrases", "remove", "gift-wrap"]));
    let missing = kefu(&db, &["phrases", "show", "gift-wrap"]);
    assert!(!missing.status.success());
    assert!(
        stderr(&missing).contains("`kefu phrases list`"),
        "{}",
        stderr(&missing)
    );
}

#[test]
fn add_rejects_unknown_placeholder() {
    let (_folder, db) = database_with_starter_library();
    let output = kefu(
        &db,
        &[
            "phrases",
            "add",
            "order-number",
            "--category",
            "logistics",
            "--title",
            "订单号",
            "--body",
            "您的订单号是 {{order.number}}",
        ],
    );
    assert!(!output.status.success());
    let message = stderr(&output);
    assert!(
        message.contains("unknown placeholder {{order.number}}"),
        "{message}"
    );
    assert!(message.contains("{{customer.name}}"), "{message}");
}

#[test]
fn import_with_bad_record_changes_nothing() {
    let (_folder, db) = database_with_starter_library();
    let before = stdout(&kefu(&db, &["phrases", "list", "--json"]));

    let bad = phrase_fixtures().join("bad-middle-record.csv");
    let output = kefu(&db, &["phrases", "import", path_arg(&bad)]);
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(message.contains("bad-middle-record.csv"), "{message}");
    assert!(
        message.contains("record 2 (line 3), field body"),
        "{message}"
    );

    let after = stdout(&kefu(&db, &["phrases", "list", "--json"]));
    assert_eq!(before, after);
}

#[test]
fn render_fills_ticket_values() {
    let (_folder, db) = database_with_starter_library();
    ingest_samples(&db);
    let ticket = ticket_with_subject(&db, "你好，我的订单还没到");

    let output = kefu(
        &db,
        &[
            "phrases",
            "render",
            "greeting",
            "--ticket",
            &ticket,
            "--agent",
            "李客服",
        ],
    );
    let text = stdout(&output);
    assert!(text.starts_with("王芳您好，我是客服李客服，"), "{text}");
    assert!(text.contains("Hello 王芳, this is 李客服"), "{text}");
    assert!(stderr(&output).is_empty(), "{}", stderr(&output));

    let escalation = json(&kefu(
        &db,
        &[
            "phrases",
            "render",
            "escalation",
            "--ticket",
            &ticket,
            "--json",
        ],
    ));
    let escalation_text = escalation["text"].as_str().unwrap();
    assert!(
        escalation_text.contains(&format!("工单 #{ticket}")),
        "{escalation_text}"
    );
    assert!(
        escalation_text.contains("优先级为normal"),
        "{escalation_text}"
    );
}

#[test]
fn render_warns_about_missing_values() {
    let (_folder, db) = database_with_starter_library();
    ingest_samples(&db);
    // Twitter customers have no display name.
    let ticket = ticket_with_subject(&db, "@sprintcare is the worst customer service");

    let output = kefu(&db, &["phrases", "render", "greeting", "--ticket", &ticket]);
    let text = stdout(&output);
    assert!(
        text.starts_with("[customer.name?]您好，我是客服[agent.name?]"),
        "{text}"
    );
    let warning = stderr(&output);
    assert!(warning.contains("customer.name, agent.name"), "{warning}");
    assert!(warning.contains("--agent"), "{warning}");
}

#[test]
fn render_today_uses_utc_offset() {
    let (_folder, db) = database_with_starter_library();
    ingest_samples(&db);
    let ticket = ticket_with_subject(&db, "你好，我的订单还没到");
    let offset = chrono::FixedOffset::east_opt(14 * 3600).unwrap();
    let date_at_offset = || {
        chrono::Utc::now()
            .with_timezone(&offset)
            .format("%Y-%m-%d")
            .to_string()
    };
    let before = date_at_offset();

    let text = stdout(&kefu(
        &db,
        &[
            "phrases",
            "render",
            "waiting-on-customer",
            "--ticket",
            &ticket,
            "--utc-offset",
            "+14:00",
        ],
    ));
    // Midnight at UTC+14 may pass while kefu runs, so either date is right.
    let after = date_at_offset();
    assert!(
        text.contains(&format!("截至{before}")) || text.contains(&format!("截至{after}")),
        "{text}"
    );
    assert!(text.contains("关于“你好，我的订单还没到”"), "{text}");
}

#[test]
fn render_mark_used_counts_use() {
    let (_folder, db) = database_with_starter_library();
    ingest_samples(&db);
    let ticket = ticket_with_subject(&db, "你好，我的订单还没到");
    stdout(&kefu(
        &db,
        &[
            "phrases",
            "render",
            "closing",
            "--ticket",
            &ticket,
            "--agent",
            "李客服",
            "--mark-used",
        ],
    ));
    let phrase = json(&kefu(&db, &["phrases", "show", "closing", "--json"]));
    assert_eq!(phrase["usage_count"], 1);
    assert!(phrase["last_used_at"].is_string(), "{phrase}");
}

#[test]
fn render_on_unknown_ticket_fails() {
    let (_folder, db) = database_with_starter_library();
    let output = kefu(&db, &["phrases", "render", "greeting", "--ticket", "999"]);
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("ticket 999 not found"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn suggest_for_chinese_tickets() {
    let (_folder, db) = database_with_starter_library();
    ingest_samples(&db);

    let not_arrived = ticket_with_subject(&db, "你好，我的订单还没到");
    let suggestions = json(&kefu(
        &db,
        &["phrases", "suggest", "--ticket", &not_arrived, "--json"],
    ));
    assert_eq!(suggestions[0]["id"], "shipping-delay", "{suggestions:#}");
    assert_eq!(suggestions[0]["matched_keywords"][0], "没到");

    let password = ticket_with_subject(&db, "登录不了，密码忘记了");
    let suggestions = json(&kefu(
        &db,
        &["phrases", "suggest", "--ticket", &password, "--json"],
    ));
    assert_eq!(suggestions[0]["id"], "password-reset", "{suggestions:#}");

    let refund = ticket_with_subject(&db, "我想退货，怎么申请退款？");
    let suggestions = json(&kefu(
        &db,
        &[
            "phrases", "suggest", "--ticket", &refund, "--limit", "2", "--json",
        ],
    ));
    let mut top_two = suggested_ids(&suggestions);
    top_two.sort();
    assert_eq!(top_two, vec!["refund-policy", "return-process"]);
}

#[test]
fn suggest_for_english_tickets() {
    let (_folder, db) = database_with_starter_library();
    ingest_samples(&db);
    let worst = ticket_with_subject(&db, "@sprintcare is the worst customer service");
    let suggestions = json(&kefu(
        &db,
        &["phrases", "suggest", "--ticket", &worst, "--json"],
    ));
    assert_eq!(suggestions[0]["id"], "escalation", "{suggestions:#}");
    assert_eq!(suggestions[0]["matched_keywords"][0], "worst");

    let table = stdout(&kefu(
        &db,
        &[
            "phrases",
            "suggest",
            "--text",
            "@115722 tried to pay a bill for 60 days. No service, rude CS",
        ],
    ));
    assert!(table.contains("payment-failed"), "{table}");
    assert!(table.contains("pay, bill"), "{table}");
    assert!(table.contains("escalation"), "{table}");
}

#[test]
fn suggest_needs_ticket_or_text() {
    let (_folder, db) = database_with_starter_library();
    let output = kefu(&db, &["phrases", "suggest"]);
    assert_eq!(output.status.code(), Some(2), "a usage error");
    assert!(stderr(&output).contains("--ticket"), "{}", stderr(&output));
}

#[test]
fn add_rejects_control_characters() {
    let (_folder, db) = database_with_starter_library();
    // Rejected before it is stored.
    let output = kefu(
        &db,
        &[
            "phrases",
            "add",
            "evil",
            "--category",
            "general",
            "--title",
            "title\u{1b}]0;pwned\u{7}",
            "--body",
            "body",
        ],
    );
    assert!(!output.status.success());
    let message = stderr(&output);
    assert!(!message.contains('\u{1b}'), "{message:?}");
    assert!(message.contains("control character"), "{message}");
}
