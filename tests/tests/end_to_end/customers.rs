//! One customer across channels, against real call records and mail
//! imported through the built-in plugins into a real database file.

use chrono::Utc;
use kefu_core::model::Channel;
use kefu_core::store::ChangeBy;
use kefu_tests::{TestDb, fixtures};
use rusqlite::Connection;

const ASTERISK: &str = "phone/asterisk-Master-pseudonymized-218rows.csv";
const FREESWITCH: &str = "phone/freeswitch-cdr_csv-example-template.csv";

fn by(actor: &str) -> ChangeBy<'_> {
    ChangeBy {
        actor,
        reason: Some("confirmed on the phone"),
        at: Utc::now(),
    }
}

fn customer_id(db: &TestDb, channel: Channel, address: &str) -> i64 {
    db.store
        .customer_by_address(channel, address)
        .unwrap()
        .unwrap_or_else(|| panic!("no customer has {channel} address {address}"))
        .id
}

/// Every row of the tables a customer change touches, to show that a
/// failed change left them as they were.
fn snapshot(db: &TestDb) -> Vec<String> {
    let connection = Connection::open(db.path()).unwrap();
    let mut rows = Vec::new();
    for sql in [
        "SELECT id || ':' || customer_id || ':' || kind || ':' || value FROM customer_identities ORDER BY id",
        "SELECT id || ':' || customer_id FROM conversations ORDER BY id",
        "SELECT id || ':' || coalesce(name, '') || ':' || coalesce(merged_into, '') FROM customers ORDER BY id",
        "SELECT id || ':' || coalesce(customer_id, '') FROM tasks ORDER BY id",
        "SELECT count(*) FROM customer_changes",
    ] {
        let mut statement = connection.prepare(sql).unwrap();
        let values = statement
            .query_map([], |row| {
                row.get::<_, String>(0)
                    .or_else(|_| row.get::<_, i64>(0).map(|n| n.to_string()))
            })
            .unwrap()
            .collect::<Result<Vec<_>, _>>()
            .unwrap();
        rows.extend(values);
    }
    rows
}

#[test]
fn linked_caller_lands_on_email_customer() {
    let mut db = TestDb::new();
    let mail = db.write_mail(
        "order.eml",
        "Wang Fang <wang.fang@example.cn>",
        "订单查询",
        "我的订单到哪了？",
    );
    db.ingest(&[mail]);
    let wang = customer_id(&db, Channel::Email, "wang.fang@example.cn");
    let linked = db
        .store
        .link_address(wang, "555-0100", by("agent:lin"))
        .unwrap();
    assert_eq!(linked.to_string(), "phone:5550100");

    db.ingest(&[fixtures().join(ASTERISK)]);
    assert_eq!(customer_id(&db, Channel::Phone, "555-0100"), wang);

    let detail = db.store.customer_detail(wang).unwrap();
    let channels: Vec<Channel> = detail
        .history
        .iter()
        .map(|message| message.channel)
        .collect();
    assert!(channels.contains(&Channel::Email));
    let calls = channels
        .iter()
        .filter(|channel| **channel == Channel::Phone)
        .count();
    // 555-0100 places the first two rows of the sample (one call, two legs)
    // and more later in the file.
    assert!(calls >= 2, "{calls} calls");
    let times: Vec<_> = detail
        .history
        .iter()
        .map(|message| message.time())
        .collect();
    let mut sorted = times.clone();
    sorted.sort();
    assert_eq!(times, sorted, "history is in time order");
    assert_eq!(detail.changes.len(), 1);
    assert_eq!(detail.changes[0].kind, "link");
    assert_eq!(detail.changes[0].actor, "agent:lin");
    assert_eq!(detail.changes[0].addresses, ["phone:5550100"]);
}

#[test]
fn merge_then_split_round_trip() {
    let mut db = TestDb::new();
    let mail = db.write_mail(
        "refund.eml",
        "Customer A <customer.a@example.cn>",
        "退款",
        "请尽快退款",
    );
    db.ingest(&[mail, fixtures().join(FREESWITCH)]);
    let email_customer = customer_id(&db, Channel::Email, "customer.a@example.cn");
    // The FreeSWITCH sample writes the number as 13800138000; it is stored
    // in E.164, so every spelling finds the caller.
    let caller = customer_id(&db, Channel::Phone, "+86 138 0013 8000");
    assert_eq!(customer_id(&db, Channel::Phone, "0086 13800138000"), caller);
    assert_ne!(caller, email_customer);
    let caller_before = db.store.customer_detail(caller).unwrap();
    let calls = caller_before.history.len();
    // The answered call, the missed one and the agent's callback.
    assert_eq!(calls, 3);
    let open_tasks = |db: &TestDb, customer: i64| {
        db.store
            .tasks(false)
            .unwrap()
            .into_iter()
            .filter(|task| task.customer_id == Some(customer))
            .count()
    };
    assert_eq!(open_tasks(&db, caller), 1);

    let moved = db
        .store
        .merge_customers(caller, email_customer, by("agent:lin"))
        .unwrap();
    assert_eq!(moved.addresses, ["phone:+8613800138000"]);
    let merged = db.store.customer_detail(email_customer).unwrap();
    assert_eq!(merged.history.len(), calls + 1);
    assert_eq!(merged.summary.addresses.len(), 2);
    assert_eq!(open_tasks(&db, email_customer), 1);
    let gone = db.store.customer_detail(caller).unwrap();
    assert_eq!(gone.merged_into, Some(email_customer));
    assert!(gone.history.is_empty());
    assert_eq!(gone.changes[0].kind, "merge");
    assert_eq!(gone.changes[0].actor, "agent:lin");
    assert_eq!(
        gone.changes[0].reason.as_deref(),
        Some("confirmed on the phone")
    );
    assert!(
        !db.store
            .customers()
            .unwrap()
            .iter()
            .any(|customer| customer.id == caller)
    );

    let (split_off, moved) = db
        .store
        .split_customer(email_customer, "phone:13800138000", by("agent:lin"))
        .unwrap();
    assert_eq!(moved.conversations.len(), 1);
    let split = db.store.customer_detail(split_off).unwrap();
    assert_eq!(split.history.len(), calls);
    assert_eq!(split.summary.name.as_deref(), Some("Customer A"));
    assert_eq!(customer_id(&db, Channel::Phone, "13800138000"), split_off);
    assert_eq!(open_tasks(&db, split_off), 1);
    let kept = db.store.customer_detail(email_customer).unwrap();
    assert_eq!(kept.history.len(), 1);
    assert_eq!(kept.history[0].channel, Channel::Email);
    let kinds: Vec<&str> = kept
        .changes
        .iter()
        .map(|change| change.kind.as_str())
        .collect();
    assert_eq!(kinds, ["merge", "split"]);
}

#[test]
fn bad_ids_and_addresses_change_nothing() {
    let mut db = TestDb::new();
    let mail = db.write_mail(
        "question.eml",
        "customer.b@example.cn",
        "咨询",
        "请问营业时间",
    );
    db.ingest(&[mail, fixtures().join(FREESWITCH)]);
    let email_customer = customer_id(&db, Channel::Email, "customer.b@example.cn");
    let caller = customer_id(&db, Channel::Phone, "13800138000");
    let before = snapshot(&db);

    let cases: Vec<(anyhow::Error, String)> = vec![
        (
            db.store
                .merge_customers(999, email_customer, by("agent:lin"))
                .unwrap_err(),
            "customer 999 not found".to_string(),
        ),
        (
            db.store
                .merge_customers(caller, caller, by("agent:lin"))
                .unwrap_err(),
            "into itself".to_string(),
        ),
        (
            db.store
                .link_address(email_customer, "13800138000", by("agent:lin"))
                .unwrap_err(),
            format!("run `kefu customers merge {caller} {email_customer}`"),
        ),
        (
            db.store
                .link_address(email_customer, "hello", by("agent:lin"))
                .unwrap_err(),
            "cannot tell the channel".to_string(),
        ),
        (
            db.store
                .link_address(999, "phone:13900139000", by("agent:lin"))
                .unwrap_err(),
            "customer 999 not found".to_string(),
        ),
        (
            db.store
                .split_customer(email_customer, "phone:13800138000", by("agent:lin"))
                .unwrap_err(),
            format!("belongs to customer {caller}, not {email_customer}"),
        ),
        (
            db.store
                .split_customer(caller, "phone:13800138000", by("agent:lin"))
                .unwrap_err(),
            "only address".to_string(),
        ),
        (
            db.store
                .split_customer(caller, "email:nobody@example.cn", by("agent:lin"))
                .unwrap_err(),
            "no customer has the address email:nobody@example.cn".to_string(),
        ),
    ];
    for (error, expected) in &cases {
        let message = format!("{error:#}");
        assert!(message.contains(expected.as_str()), "{message}");
    }
    assert_eq!(snapshot(&db), before);

    db.store
        .merge_customers(caller, email_customer, by("agent:lin"))
        .unwrap();
    let error = db
        .store
        .merge_customers(caller, email_customer, by("agent:lin"))
        .unwrap_err();
    assert!(
        error
            .to_string()
            .contains(&format!("was merged into customer {email_customer}")),
        "{error}"
    );
}

#[test]
fn missed_calls_of_every_layout_become_callbacks() {
    let mut db = TestDb::new();
    let summary = db.ingest(&[fixtures().join(FREESWITCH), fixtures().join("phone-mapped")]);
    assert_eq!(summary.messages_stored, 6 + 4 + 3, "{summary:#?}");
    let tasks = db.store.tasks(false).unwrap();
    let mut reach: Vec<String> = tasks
        .iter()
        .map(|task| task.customer_address.clone().unwrap())
        .collect();
    reach.sort();
    assert_eq!(
        reach,
        [
            "+861012345678",
            "+8613800138000",
            "+8613800138001",
            "+8613800138002",
            "+8613800138004",
            "+8613800138007",
            "+8675512345678",
            "anonymous",
        ]
    );
    assert!(tasks.iter().all(|task| task.kind == "callback"));
}

#[test]
fn mapped_row_error_quarantined_with_line() {
    let mut db = TestDb::new();
    let summary = db.ingest(&[fixtures().join("phone-mapped")]);
    assert_eq!(summary.inputs, 2, "mapping files are not inputs");
    let quarantine = db.store.quarantine().unwrap();
    assert_eq!(quarantine.len(), 1);
    assert!(
        quarantine[0]
            .reason
            .contains("Line 5: the start time \"07-05-2024 10:00\""),
        "{}",
        quarantine[0].reason
    );
    // The stored input is the envelope: mapping first, then the CSV.
    let connection = Connection::open(db.path()).unwrap();
    let stored: Vec<u8> = connection
        .query_row(
            "SELECT bytes FROM raw_inputs WHERE source_name LIKE '%callcentre-export-gbk.csv'",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert!(stored.starts_with(b"kefu-cdr-mapping "));
    let again = db.ingest(&[fixtures().join("phone-mapped")]);
    assert_eq!(again.duplicate_inputs, 2);
}

#[test]
fn broken_mapping_quarantines_whole_file() {
    let mut db = TestDb::new();
    let folder = db.folder.path().join("exports");
    std::fs::create_dir(&folder).unwrap();
    std::fs::copy(fixtures().join(FREESWITCH), folder.join("calls.csv")).unwrap();
    std::fs::write(
        folder.join("cdr.toml"),
        "[columns]\ncaller = \"From\"\nstart = 5\nbillsec = 9\n",
    )
    .unwrap();
    let summary = db.ingest(&[folder]);
    assert_eq!(summary.messages_stored, 0);
    let quarantine = db.store.quarantine().unwrap();
    assert_eq!(quarantine.len(), 1);
    assert!(
        quarantine[0].reason.contains("caller = \"From\""),
        "{}",
        quarantine[0].reason
    );
}
