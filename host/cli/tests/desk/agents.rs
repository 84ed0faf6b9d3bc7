//! `kefu agents` run as a user would, on a real database file with the
//! sample mail imported.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Output;

use kefu_core::Store;

use super::support::{kefu_with_config, repository};

/// A database and a configuration folder in a temporary folder.
struct Desk {
    folder: tempfile::TempDir,
}

impl Desk {
    fn new() -> Self {
        let desk = Self {
            folder: tempfile::tempdir().unwrap(),
        };
        std::fs::create_dir(desk.config()).unwrap();
        desk
    }

    /// Creates a desk and imports the sample mail, which opens tickets.
    fn with_tickets() -> Self {
        let desk = Self::new();
        let mail = repository().join("tests/fixtures/email");
        desk.ok(&["ingest", mail.to_str().unwrap()]);
        desk
    }

    fn db(&self) -> PathBuf {
        self.folder.path().join("kefu.db")
    }

    fn config(&self) -> PathBuf {
        self.folder.path().join("config")
    }

    fn run(&self, args: &[&str]) -> Output {
        kefu_with_config(&self.db(), &self.config(), args)
    }

    fn ok(&self, args: &[&str]) -> String {
        let output = self.run(args);
        assert!(
            output.status.success(),
            "kefu {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).expect("UTF-8 output")
    }

    fn fails(&self, args: &[&str]) -> String {
        let output = self.run(args);
        assert!(
            !output.status.success(),
            "kefu {args:?} succeeded: {}",
            String::from_utf8_lossy(&output.stdout)
        );
        String::from_utf8(output.stderr).expect("UTF-8 error")
    }

    fn json(&self, args: &[&str]) -> serde_json::Value {
        serde_json::from_str(&self.ok(args)).expect("JSON output")
    }

    /// Open load of each agent, from `kefu agents list --json`.
    fn loads(&self) -> BTreeMap<String, u64> {
        self.json(&["agents", "list", "--json"])
            .as_array()
            .unwrap()
            .iter()
            .map(|agent| {
                (
                    agent["name"].as_str().unwrap().to_string(),
                    agent["open_load"].as_u64().unwrap(),
                )
            })
            .collect()
    }

    fn queue_length(&self) -> usize {
        self.json(&["agents", "queue", "--json"])
            .as_array()
            .unwrap()
            .len()
    }
}

#[test]
fn agents_add_set_show_remove() {
    let desk = Desk::new();
    desk.ok(&[
        "agents",
        "add",
        "lin",
        "--display-name",
        "林伟",
        "--skill",
        "tech",
        "--skill",
        "senior",
        "--max-open",
        "5",
    ]);
    let agent = desk.json(&["agents", "show", "lin", "--json"]);
    assert_eq!(agent["display_name"], "林伟");
    assert_eq!(agent["skills"], serde_json::json!(["senior", "tech"]));
    assert_eq!(agent["available"], true);
    assert_eq!(agent["max_open"], 5);
    assert_eq!(agent["open_load"], 0);

    desk.ok(&[
        "agents",
        "set",
        "lin",
        "--available",
        "no",
        "--skill",
        "zh",
        "--max-open",
        "none",
    ]);
    let agent = desk.json(&["agents", "show", "lin", "--json"]);
    assert_eq!(agent["available"], false);
    assert_eq!(agent["skills"], serde_json::json!(["zh"]));
    assert_eq!(agent["max_open"], serde_json::Value::Null);

    let table = desk.ok(&["agents"]);
    assert!(table.contains("林伟"), "{table}");
    assert!(table.contains("1 agents"), "{table}");

    desk.ok(&["agents", "remove", "lin"]);
    assert_eq!(
        desk.json(&["agents", "list", "--json"]),
        serde_json::json!([])
    );
}

#[test]
fn agents_reject_invalid_input() {
    let desk = Desk::new();
    let error = desk.fails(&["agents", "add", "Li Wei"]);
    assert!(error.contains("invalid agent name \"Li Wei\""), "{error}");
    let error = desk.fails(&["agents", "add", "lin", "--skill", "Tech Support"]);
    assert!(error.contains("invalid skill \"Tech Support\""), "{error}");
    let error = desk.fails(&["agents", "add", "lin", "--max-open", "0"]);
    assert!(error.contains("invalid max open 0"), "{error}");

    desk.ok(&["agents", "add", "lin"]);
    let error = desk.fails(&["agents", "add", "lin"]);
    assert!(error.contains("exists already"), "{error}");
    let error = desk.fails(&["agents", "set", "nobody", "--available", "no"]);
    assert!(error.contains("\"nobody\" not found"), "{error}");
    let error = desk.fails(&["agents", "set", "lin", "--available", "maybe"]);
    assert!(error.contains("maybe"), "{error}");
    let error = desk.fails(&["agents", "set", "lin"]);
    assert!(error.contains("nothing to change"), "{error}");
}

#[test]
fn route_dry_run_writes_nothing() {
    let desk = Desk::with_tickets();
    desk.ok(&["agents", "add", "lin"]);
    desk.ok(&["agents", "add", "wang"]);
    let queued = desk.queue_length();
    assert!(queued >= 4, "the sample mail opens tickets: {queued}");

    let text = desk.ok(&["agents", "route", "--dry-run"]);
    assert!(text.starts_with("Dry run: nothing is written."), "{text}");
    assert!(
        text.contains(&format!(
            "Would assign {queued} of {queued} tickets (least-load)."
        )),
        "{text}"
    );
    assert!(
        text.contains("-> lin: least-load: 0 open tickets"),
        "{text}"
    );
    assert_eq!(desk.queue_length(), queued);
    assert!(desk.loads().values().all(|load| *load == 0));
}

#[test]
fn route_balances_load_and_stores_reasons() {
    let desk = Desk::with_tickets();
    for name in ["chen", "lin", "wang"] {
        desk.ok(&["agents", "add", name]);
    }
    let queued = desk.queue_length();

    let outcomes = desk.json(&["agents", "route", "--limit", "2", "--json"]);
    assert_eq!(outcomes.as_array().unwrap().len(), 2);
    assert_eq!(desk.queue_length(), queued - 2);

    let outcomes = desk.json(&["agents", "route", "--json"]);
    let outcomes = outcomes.as_array().unwrap();
    assert_eq!(outcomes.len(), queued - 2);
    assert_eq!(desk.queue_length(), 0);
    let loads = desk.loads();
    let max_load = loads.values().max().unwrap();
    let min_load = loads.values().min().unwrap();
    assert!(max_load - min_load <= 1, "{loads:?}");
    assert_eq!(loads.values().sum::<u64>() as usize, queued);

    let store = Store::open_existing(&desk.db()).unwrap();
    for outcome in outcomes {
        assert_eq!(outcome["outcome"], "assigned", "{outcome}");
        let ticket_id = outcome["ticket_id"].as_i64().unwrap();
        let events = store.ticket_events(ticket_id).unwrap();
        let assigned = events
            .iter()
            .find(|event| event.kind == "assignee")
            .expect("an assignee event");
        assert_eq!(assigned.detail["to"], outcome["agent"]);
        assert_eq!(
            assigned.reason.as_deref(),
            outcome["reason"].as_str(),
            "ticket {ticket_id}"
        );
        assert!(
            assigned
                .reason
                .as_deref()
                .unwrap()
                .starts_with("least-load: "),
            "{:?}",
            assigned.reason
        );
    }
}

#[test]
fn round_robin_from_config_continues_between_runs() {
    let desk = Desk::with_tickets();
    std::fs::write(
        desk.config().join("routing.toml"),
        "strategy = \"round-robin\"\n",
    )
    .unwrap();
    for name in ["chen", "lin", "wang"] {
        desk.ok(&["agents", "add", name]);
    }
    let mut agents = Vec::new();
    for _ in 0..4 {
        let outcomes = desk.json(&["agents", "route", "--limit", "1", "--json"]);
        agents.push(outcomes[0]["agent"].as_str().unwrap().to_string());
        assert!(
            outcomes[0]["reason"]
                .as_str()
                .unwrap()
                .starts_with("round-robin: "),
            "{outcomes}"
        );
    }
    assert_eq!(agents, ["chen", "lin", "wang", "chen"]);
}

#[test]
fn required_skills_from_config_are_respected() {
    let desk = Desk::with_tickets();
    std::fs::write(
        desk.config().join("routing.toml"),
        "[required-skills]\npre-sales = [\"sales\"]\n",
    )
    .unwrap();
    desk.ok(&["agents", "add", "lin", "--skill", "sales"]);
    desk.ok(&["agents", "add", "wang"]);
    let outcomes = desk.json(&["agents", "route", "--json"]);

    let store = Store::open_existing(&desk.db()).unwrap();
    let tickets = store.tickets().unwrap();
    let mut pre_sales = 0;
    for outcome in outcomes.as_array().unwrap() {
        let ticket_id = outcome["ticket_id"].as_i64().unwrap();
        let ticket = tickets
            .iter()
            .find(|ticket| ticket.id == ticket_id)
            .unwrap();
        if ticket.ticket_type == "pre-sales" {
            pre_sales += 1;
            assert_eq!(outcome["agent"], "lin", "{outcome}");
            let reason = outcome["reason"].as_str().unwrap();
            assert!(reason.contains("has skill sales"), "{reason}");
            assert!(reason.contains("wang (lacks sales)"), "{reason}");
        }
    }
    assert!(pre_sales > 0, "the sample mail opens pre-sales tickets");
}

#[test]
fn no_eligible_agent_leaves_queue() {
    let desk = Desk::with_tickets();
    desk.ok(&["agents", "add", "lin"]);
    desk.ok(&["agents", "set", "lin", "--available", "no"]);
    let queued = desk.queue_length();
    let text = desk.ok(&["agents", "route"]);
    assert!(
        text.contains("not assigned: no agent can take this"),
        "{text}"
    );
    assert!(text.contains("lin (unavailable)"), "{text}");
    assert!(
        text.contains(&format!("Assigned 0 of {queued} tickets")),
        "{text}"
    );
    assert_eq!(desk.queue_length(), queued);
}

#[test]
fn full_agents_are_skipped() {
    let desk = Desk::with_tickets();
    desk.ok(&["agents", "add", "lin", "--max-open", "1"]);
    desk.ok(&["agents", "add", "wang", "--max-open", "2"]);
    let queued = desk.queue_length();
    desk.ok(&["agents", "route"]);
    let loads = desk.loads();
    assert_eq!(loads["lin"], 1);
    assert_eq!(loads["wang"], 2);
    assert_eq!(desk.queue_length(), queued - 3);
}

#[test]
fn remove_with_open_tickets_names_count() {
    let desk = Desk::with_tickets();
    desk.ok(&["agents", "add", "lin"]);
    desk.ok(&["agents", "route", "--limit", "3"]);
    let error = desk.fails(&["agents", "remove", "lin"]);
    assert!(error.contains("has 3 open tickets assigned"), "{error}");
    assert!(error.contains("--reassign"), "{error}");

    // No other agent exists, so --reassign changes nothing.
    let error = desk.fails(&["agents", "remove", "lin", "--reassign"]);
    assert!(error.contains("3 of lin's open tickets"), "{error}");
    assert_eq!(desk.loads()["lin"], 3);

    desk.ok(&["agents", "add", "wang"]);
    let text = desk.ok(&["agents", "remove", "lin", "--reassign"]);
    assert!(text.contains("reassigned from lin"), "{text}");
    assert!(text.contains("removed agent lin"), "{text}");
    assert_eq!(desk.loads(), BTreeMap::from([("wang".to_string(), 3)]));
}

#[test]
fn routing_config_errors_name_the_key() {
    let desk = Desk::with_tickets();
    desk.ok(&["agents", "add", "lin"]);
    let path = desk.config().join("routing.toml");
    std::fs::write(&path, "strategy = \"fastest\"\n").unwrap();
    let error = desk.fails(&["agents", "route"]);
    assert!(error.contains("fastest"), "{error}");
    std::fs::write(&path, "skip-full = true\n").unwrap();
    let error = desk.fails(&["agents", "route"]);
    assert!(error.contains("skip-full"), "{error}");
    std::fs::write(&path, "[required-skills]\nbilling = [\"tech\"]\n").unwrap();
    let error = desk.fails(&["agents", "route"]);
    assert!(error.contains("unknown ticket type \"billing\""), "{error}");
}

#[test]
fn example_routing_file_is_valid() {
    let desk = Desk::with_tickets();
    std::fs::copy(
        repository().join("docs/examples/routing.toml"),
        desk.config().join("routing.toml"),
    )
    .unwrap();
    desk.ok(&[
        "agents", "add", "lin", "--skill", "tech", "--skill", "senior",
    ]);
    let text = desk.ok(&["agents", "route", "--dry-run"]);
    assert!(text.contains("(least-load)"), "{text}");
}
