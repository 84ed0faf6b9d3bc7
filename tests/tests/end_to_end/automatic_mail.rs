//! Auto-replies, bounces and bulk mail are stored but open no ticket,
//! whichever rules run: the built-in default rule, a rule plugin that
//! opens a ticket for every message, or a declarative rule that does.
//!
//! The inputs are the real automatic mails under tests/fixtures/email and
//! copies of a real customer mail with one header added.

use kefu_core::automation::parse_rules;
use kefu_core::lifecycle::Lifecycle;
use kefu_core::plugin::kv::KvSpace;
use kefu_core::plugin::{Manifest, PluginContext, PluginSet};
use kefu_tests::{TestDb, fixtures, test_plugin};
use rusqlite::Connection;

/// A plain customer mail with none of the headers that mark automatic mail.
const CUSTOMER_MAIL: &str = "23-html-only-empty-in-reply-to.eml";

/// Real automatic mails and the automation kind the email adapter reports.
const AUTOMATIC_FIXTURES: &[(&str, &str)] = &[
    ("09-dsn-gb2312-label-needs-gbk-japanese-ndr.eml", "bounce"),
    ("14-bounce-gmail-dsn-nested-related.eml", "bounce"),
    ("15-bounce-office365-ndr-in-reply-to.eml", "bounce"),
    ("16-bounce-sendmail-dsn-bad-date-in-original.eml", "bounce"),
    (
        "17-autoreply-outlook-ooo-no-auto-submitted.eml",
        "auto-reply",
    ),
    (
        "19-autoreply-arabic-base64-duplicate-in-reply-to.eml",
        "auto-reply",
    ),
];

/// Headers that each make the customer mail automatic, with the kind.
const AUTOMATIC_HEADERS: &[(&str, &str)] = &[
    ("Auto-Submitted: auto-replied", "auto-reply"),
    ("Auto-Submitted: auto-generated", "auto-reply"),
    ("Auto-Submitted: auto-generated (failure)", "bounce"),
    ("Precedence: bulk", "bulk"),
    ("Precedence: junk", "bulk"),
    ("Precedence: list", "bulk"),
    ("X-Autoreply: yes", "auto-reply"),
    ("X-Auto-Response-Suppress: All", "auto-reply"),
    ("Return-Path: <>", "auto-reply"),
];

/// The rule setups every automatic mail is imported under.
fn rule_setups() -> Vec<(&'static str, PluginSet)> {
    vec![
        ("default rule", PluginSet::builtin().unwrap()),
        ("rule plugin", with_opening_plugin()),
        ("declarative rule", with_opening_declarative_rule()),
    ]
}

/// The built-in plugins plus the scripted test rule, told to open a ticket
/// on every message it receives.
fn with_opening_plugin() -> PluginSet {
    let mut plugins = PluginSet::builtin().unwrap();
    let manifest = Manifest::parse(
        "id = \"opens-all\"\nname = \"opens-all\"\nversion = \"0.1.0\"\nkind = \"rule\"\napi = \"1.1.0\"\n",
    )
    .unwrap();
    let mut context = PluginContext::for_plugin("opens-all");
    context.kv = KvSpace::with_entries([(
        "on:message-received".to_string(),
        b"open-ticket pre-sales normal every message".to_vec(),
    )]);
    plugins
        .add_loaded(&manifest, &test_plugin("scripted-rule"), context)
        .unwrap();
    plugins
}

/// The built-in plugins plus a declarative rule that opens a ticket on
/// every message.
fn with_opening_declarative_rule() -> PluginSet {
    let text = "[[rule]]\nname = \"open-all\"\non = [\"message-received\"]\n\
                [rule.then]\nopen-ticket = { type = \"pre-sales\", priority = \"normal\" }\n";
    let rules = parse_rules("rules.toml", text, &Lifecycle::builtin()).unwrap();
    let mut plugins = PluginSet::builtin().unwrap();
    plugins.set_declarative_rules(rules).unwrap();
    plugins
}

/// Imports `mail` into a new database and returns the automation kind of
/// the stored message and the number of tickets.
fn import(plugins: &mut PluginSet, name: &str, mail: &[u8]) -> (Option<String>, i64) {
    let mut db = TestDb::new();
    let path = db.path().with_file_name(name);
    std::fs::write(&path, mail).unwrap();
    let summary = db.ingest_with(plugins, &[path]);
    assert!(
        summary.rule_failures.is_empty(),
        "{name}: {:?}",
        summary.rule_failures
    );
    assert_eq!(summary.messages_stored, 1, "{name} was not stored");
    let connection = Connection::open(db.path()).unwrap();
    let kind = connection
        .query_row("SELECT automation_kind FROM messages", [], |row| row.get(0))
        .unwrap();
    let tickets = connection
        .query_row("SELECT count(*) FROM tickets", [], |row| row.get(0))
        .unwrap();
    (kind, tickets)
}

/// The customer mail with `header` added at the top.
fn customer_mail_with(header: &str) -> Vec<u8> {
    let mail = std::fs::read(fixtures().join("email").join(CUSTOMER_MAIL)).unwrap();
    let mut changed = format!("{header}\r\n").into_bytes();
    changed.extend_from_slice(&mail);
    changed
}

#[test]
fn customer_mail_opens_ticket_under_each_setup() {
    for (setup, mut plugins) in rule_setups() {
        for header in ["X-Mailer: kefu-test", "Auto-Submitted: no"] {
            let (kind, tickets) = import(&mut plugins, "customer.eml", &customer_mail_with(header));
            assert_eq!(kind, None, "{setup}, {header}");
            assert_eq!(tickets, 1, "{setup}, {header}");
        }
    }
}

#[test]
fn real_automatic_mail_opens_no_ticket() {
    for (setup, mut plugins) in rule_setups() {
        for (file, expected) in AUTOMATIC_FIXTURES {
            let mail = std::fs::read(fixtures().join("email").join(file)).unwrap();
            let (kind, tickets) = import(&mut plugins, file, &mail);
            assert_eq!(kind.as_deref(), Some(*expected), "{setup}, {file}");
            assert_eq!(tickets, 0, "{setup} opened a ticket for {file}");
        }
    }
}

#[test]
fn automatic_headers_open_no_ticket() {
    for (setup, mut plugins) in rule_setups() {
        for (header, expected) in AUTOMATIC_HEADERS {
            let mail = customer_mail_with(header);
            let (kind, tickets) = import(&mut plugins, "automatic.eml", &mail);
            assert_eq!(kind.as_deref(), Some(*expected), "{setup}, {header}");
            assert_eq!(tickets, 0, "{setup} opened a ticket for {header}");
        }
    }
}
