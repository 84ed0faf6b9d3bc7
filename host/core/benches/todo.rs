//! To-do list benchmark: `cargo bench -p kefu-core --bench todo`.
//!
//! Builds a database file with 100,000 open and 20,000 finished tickets,
//! reopens it with `Store::open` and prints, for each case:
//! - the plain indexed `SELECT id` of the same rows in the same order
//!   (the baseline);
//! - `Store::todo` or `Store::todo_count`, which reads full rows with the
//!   customer, the tags and the deadlines;
//! - the median and 95th percentile of both, and the ratio of the medians.
//!
//! Both sides of a case run alternately in the same loop, so they share
//! the machine's load. The query plans come first, with a warning for
//! each to-do query that sorts its rows instead of reading them in index
//! order.

use std::path::Path;
use std::time::{Duration, Instant};

use chrono::{DateTime, SecondsFormat, TimeZone, Utc};
use kefu_core::Store;
use kefu_core::desk::Desk;
use kefu_core::todo::{AssigneeFilter, Sort, TodoQuery};
use rusqlite::types::Value;
use rusqlite::{Connection, params, params_from_iter};

const OPEN_TICKETS: usize = 100_000;
const FINISHED_TICKETS: usize = 20_000;
const CUSTOMERS: usize = 20_000;
/// Share of customers in the `vip` tier, in percent.
const VIP_PERCENT: u64 = 5;
const AGENTS: usize = 20;
/// Open tickets are created over this many days before [`now`].
const CREATED_OVER_DAYS: i64 = 14;
const PAGE: usize = 50;
/// Offset of the page of rows 951 to 1,000, page 20 of [`PAGE`] rows.
const PAGE_20_OFFSET: usize = 950;

/// Timed repetitions per case, after [`WARMUP`] untimed ones.
const REPETITIONS: usize = 300;
const WARMUP: usize = 10;
/// A case stops repeating after this long, once it has
/// [`MIN_REPETITIONS`] samples, so a slow query does not stall the run.
const CASE_BUDGET: Duration = Duration::from_secs(20);
const MIN_REPETITIONS: usize = 30;

/// Tags with the percentage of tickets that carry each.
const TAGS: &[(&str, u64)] = &[
    ("refund", 6),
    ("shipping", 8),
    ("invoice", 3),
    ("warranty", 4),
    ("bug", 5),
    ("follow-up", 10),
    ("escalated", 2),
    ("wholesale", 1),
];
/// The tag the tag case filters on.
const FILTER_TAG: &str = "refund";
/// The agent the agent case filters on.
const FILTER_AGENT: &str = "agent07";

const ORDER_PRIORITY: &str = "t.queue_rank DESC, t.due_at IS NULL, t.due_at, t.id";
const ORDER_DUE: &str = "t.due_at IS NULL, t.due_at, t.queue_rank DESC, t.id";

/// Returns the fixed "now" of the data set: Tuesday 2026-12-01, 14:00 in Shanghai,
/// inside the built-in SLA's business hours.
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 6, 0, 0).unwrap()
}

fn format_time(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// SplitMix64: a small seeded generator, so every run builds the same data.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Returns a number in `0..bound`.
    fn below(&mut self, bound: u64) -> u64 {
        self.next() % bound
    }

    /// Returns true with a chance of `percent` in 100.
    fn percent(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// Picks from `(item, weight)` pairs in proportion to the weights.
    fn weighted<'a>(&mut self, items: &[(&'a str, u64)]) -> &'a str {
        let total: u64 = items.iter().map(|(_, weight)| weight).sum();
        let mut pick = self.below(total);
        for (item, weight) in items {
            if pick < *weight {
                return item;
            }
            pick -= weight;
        }
        items[items.len() - 1].0
    }
}

/// The ticket fields the derived columns follow from.
struct TicketState<'a> {
    status: &'a str,
    priority: &'a str,
    tier: &'a str,
    created_at: DateTime<Utc>,
    first_response_at: Option<DateTime<Utc>>,
    /// True while the status stops the SLA clock.
    sla_paused: bool,
    sla_paused_seconds: i64,
}

/// Derived columns of one ticket, computed by the rules of
/// `Writer::refresh_ticket` in `host/core/src/store/tickets.rs`.
struct Derived {
    is_open: bool,
    queue_rank: i64,
    first_response_due: Option<String>,
    resolution_due: Option<String>,
    due_at: Option<String>,
}

fn derive(desk: &Desk, ticket: &TicketState<'_>) -> Derived {
    let is_open = desk.lifecycle.is_open(ticket.status);
    let (first_due, resolution_due) = desk.deadlines(
        ticket.created_at,
        ticket.priority,
        ticket.tier,
        ticket.sla_paused_seconds,
    );
    let due = if !is_open || ticket.sla_paused {
        None
    } else if ticket.first_response_at.is_none() {
        [first_due, resolution_due].into_iter().flatten().min()
    } else {
        resolution_due
    };
    Derived {
        is_open,
        queue_rank: desk.lifecycle.queue_rank(ticket.priority, ticket.tier),
        first_response_due: first_due.map(format_time),
        resolution_due: resolution_due.map(format_time),
        due_at: due.map(format_time),
    }
}

/// Creates the schema with `Store::open`, then inserts the customers,
/// agents, conversations, tickets and tags in one transaction.
fn build_database(path: &Path) -> anyhow::Result<()> {
    drop(Store::open(path)?);
    let desk = Desk::builtin();
    let mut connection = Connection::open(path)?;
    let tx = connection.transaction()?;
    let mut random = Random(0x6b65_6675);
    let now = now();
    let start = now - chrono::Duration::days(CREATED_OVER_DAYS + 30);

    const SURNAMES: &[&str] = &["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴"];
    const GIVEN: &[&str] = &[
        "芳", "伟", "娜", "敏", "静", "磊", "洋", "艳", "勇", "军", "杰",
    ];
    let mut tiers = Vec::with_capacity(CUSTOMERS);
    {
        let mut customer = tx.prepare(
            "INSERT INTO customers (id, name, tier, created_at) VALUES (?1, ?2, ?3, ?4)",
        )?;
        let mut identity = tx.prepare(
            "INSERT INTO customer_identities (customer_id, kind, value) VALUES (?1, 'email', ?2)",
        )?;
        for id in 1..=CUSTOMERS {
            let name = format!(
                "{}{}",
                SURNAMES[random.below(SURNAMES.len() as u64) as usize],
                GIVEN[random.below(GIVEN.len() as u64) as usize]
            );
            let tier = if random.percent(VIP_PERCENT) {
                "vip"
            } else {
                "regular"
            };
            tiers.push(tier);
            customer.execute(params![id as i64, name, tier, format_time(start)])?;
            identity.execute(params![id as i64, format!("customer{id}@example.cn")])?;
        }
        let mut agent = tx.prepare(
            "INSERT INTO agents (name, display_name, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?3)",
        )?;
        for number in 1..=AGENTS {
            agent.execute(params![
                format!("agent{number:02}"),
                format!("Agent {number}"),
                format_time(start)
            ])?;
        }
    }

    let types: Vec<(&str, u64)> = vec![
        ("pre-sales", 25),
        ("after-sales", 40),
        ("technical-support", 25),
        ("complaint", 10),
    ];
    let priorities: Vec<(&str, u64)> = vec![("normal", 75), ("high", 20), ("urgent", 5)];
    let channels: Vec<(&str, u64)> = vec![("email", 50), ("chat", 35), ("phone", 15)];
    let open_statuses: Vec<(&str, u64)> = vec![
        ("open", 45),
        ("in-progress", 35),
        ("waiting-on-customer", 20),
    ];
    let finished_statuses: Vec<(&str, u64)> = vec![("resolved", 60), ("closed", 40)];
    // Agents get unequal loads, as on a real desk: weights 1 to AGENTS.
    let agent_names: Vec<String> = (1..=AGENTS).map(|n| format!("agent{n:02}")).collect();
    let agent_weights: Vec<(&str, u64)> = agent_names
        .iter()
        .enumerate()
        .map(|(index, name)| (name.as_str(), index as u64 + 1))
        .collect();
    const SUBJECTS: &[&str] = &[
        "申请退款：订单",
        "物流一直没有更新",
        "Invoice request for order",
        "耳机左边没有声音",
        "Cannot log in to my account",
        "发票抬头写错了",
        "Wholesale price enquiry",
        "保修期内维修",
    ];

    let mut conversation = tx.prepare(
        "INSERT INTO conversations (id, channel, customer_id, thread_key, subject, created_at,
                                    last_message_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    let mut ticket = tx.prepare(
        "INSERT INTO tickets (id, conversation_id, subject, ticket_type, priority, source, status,
                              assignee, created_at, updated_at, first_response_at,
                              first_response_due, resolution_due, resolved_at, sla_paused_at,
                              sla_paused_seconds, reopen_count, is_open, queue_rank, due_at)
         VALUES (?1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
                 ?18, ?19)",
    )?;
    let mut tag = tx.prepare("INSERT INTO ticket_tags (ticket_id, tag) VALUES (?1, ?2)")?;
    for id in 1..=(OPEN_TICKETS + FINISHED_TICKETS) as i64 {
        let finished = id as usize > OPEN_TICKETS;
        let customer = random.below(CUSTOMERS as u64) as usize;
        let tier = tiers[customer];
        let channel = random.weighted(&channels);
        // Open tickets are from the last CREATED_OVER_DAYS days, finished
        // ones from the 30 days before.
        let age_seconds = random.below(CREATED_OVER_DAYS as u64 * 86_400) as i64;
        let created_at = if finished {
            now - chrono::Duration::seconds(age_seconds + 30 * 86_400)
        } else {
            now - chrono::Duration::seconds(age_seconds)
        };
        let since_created = (now - created_at).num_seconds().max(1) as u64;
        let updated_at = created_at + chrono::Duration::seconds(random.below(since_created) as i64);
        let status = if finished {
            random.weighted(&finished_statuses)
        } else {
            random.weighted(&open_statuses)
        };
        let priority = random.weighted(&priorities);
        let ticket_type = random.weighted(&types);
        let assignee = (status != "open" || random.percent(40))
            .then(|| random.weighted(&agent_weights).to_string());
        let answered = status != "open";
        let first_response_at = answered.then(|| {
            created_at + chrono::Duration::seconds(60 + random.below(since_created / 4 + 1) as i64)
        });
        // A waiting ticket's clock stopped when it started waiting, a
        // finished one's when it was finished. Some in-progress tickets
        // waited before, which moved their deadlines out.
        let stopped_at = (status == "waiting-on-customer" || finished).then_some(updated_at);
        let paused_seconds = if status == "in-progress" && random.percent(20) {
            3_600 * (1 + random.below(8) as i64)
        } else {
            0
        };
        let reopen_count = i64::from(status == "in-progress" && random.percent(3));
        let derived = derive(
            &desk,
            &TicketState {
                status,
                priority,
                tier,
                created_at,
                first_response_at,
                sla_paused: stopped_at.is_some(),
                sla_paused_seconds: paused_seconds,
            },
        );
        let subject = format!(
            "{} {}",
            SUBJECTS[random.below(SUBJECTS.len() as u64) as usize],
            10_000 + id
        );
        let thread_key = (channel != "email").then(|| format!("{channel}-{id}"));
        conversation.execute(params![
            id,
            channel,
            customer as i64 + 1,
            thread_key,
            subject,
            format_time(created_at),
            format_time(updated_at)
        ])?;
        ticket.execute(params![
            id,
            subject,
            ticket_type,
            priority,
            channel,
            status,
            assignee,
            format_time(created_at),
            format_time(updated_at),
            first_response_at.map(format_time),
            derived.first_response_due,
            derived.resolution_due,
            finished.then(|| format_time(updated_at)),
            stopped_at.map(format_time),
            paused_seconds,
            reopen_count,
            derived.is_open,
            derived.queue_rank,
            derived.due_at
        ])?;
        for (name, percent) in TAGS {
            if random.percent(*percent) {
                tag.execute(params![id, name])?;
            }
        }
    }
    drop((conversation, ticket, tag));
    tx.commit()?;
    Ok(())
}

/// One benchmark case: the baseline SELECT and the to-do query it is
/// compared with.
struct Case {
    name: &'static str,
    /// Filter on `tickets t` shared by the baseline and the to-do query,
    /// after `t.is_open = 1`.
    filter: &'static str,
    parameters: Vec<Value>,
    order: &'static str,
    offset: usize,
    query: TodoQuery,
    /// Times `Store::todo_count` instead of `Store::todo`.
    count: bool,
}

impl Case {
    fn baseline_sql(&self) -> String {
        if self.count {
            format!(
                "SELECT count(*) FROM tickets t WHERE t.is_open = 1{}",
                self.filter
            )
        } else {
            format!(
                "SELECT t.id FROM tickets t WHERE t.is_open = 1{} ORDER BY {} LIMIT {PAGE} OFFSET {}",
                self.filter, self.order, self.offset
            )
        }
    }
}

fn cases() -> Vec<Case> {
    let page = |sort: Sort, offset: usize| TodoQuery {
        sort,
        limit: PAGE,
        offset,
        ..TodoQuery::default()
    };
    vec![
        Case {
            name: "first page, queue order",
            filter: "",
            parameters: Vec::new(),
            order: ORDER_PRIORITY,
            offset: 0,
            query: page(Sort::Priority, 0),
            count: false,
        },
        Case {
            name: "first page, by due time",
            filter: "",
            parameters: Vec::new(),
            order: ORDER_DUE,
            offset: 0,
            query: page(Sort::Due, 0),
            count: false,
        },
        Case {
            name: "first page, one agent",
            filter: " AND t.assignee = ?",
            parameters: vec![Value::Text(FILTER_AGENT.to_string())],
            order: ORDER_PRIORITY,
            offset: 0,
            query: TodoQuery {
                assignee: Some(AssigneeFilter::Agent(FILTER_AGENT.to_string())),
                ..page(Sort::Priority, 0)
            },
            count: false,
        },
        Case {
            name: "first page, one tag",
            filter: " AND EXISTS (SELECT 1 FROM ticket_tags g WHERE g.ticket_id = t.id AND g.tag = ?)",
            parameters: vec![Value::Text(FILTER_TAG.to_string())],
            order: ORDER_PRIORITY,
            offset: 0,
            query: TodoQuery {
                tags: vec![FILTER_TAG.to_string()],
                ..page(Sort::Priority, 0)
            },
            count: false,
        },
        Case {
            name: "page 20 (offset 950), queue order",
            filter: "",
            parameters: Vec::new(),
            order: ORDER_PRIORITY,
            offset: PAGE_20_OFFSET,
            query: page(Sort::Priority, PAGE_20_OFFSET),
            count: false,
        },
        Case {
            name: "count of open tickets",
            filter: "",
            parameters: Vec::new(),
            order: "",
            offset: 0,
            query: TodoQuery::default(),
            count: true,
        },
    ]
}

/// Prints the plan of `sql` and returns its lines.
fn print_plan(connection: &Connection, sql: &str, parameters: &[Value]) -> anyhow::Result<String> {
    let mut statement = connection.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
    let rows = statement.query_map(params_from_iter(parameters), |row| {
        Ok((
            row.get::<_, i64>(0)?,
            row.get::<_, i64>(1)?,
            row.get::<_, String>(3)?,
        ))
    })?;
    let mut depth: Vec<(i64, usize)> = Vec::new();
    let mut plan = String::new();
    for row in rows {
        let (id, parent, detail) = row?;
        let level = depth
            .iter()
            .find(|(node, _)| *node == parent)
            .map_or(0, |(_, level)| level + 1);
        depth.push((id, level));
        let line = format!("      {}{detail}\n", "  ".repeat(level));
        print!("{line}");
        plan.push_str(&line);
    }
    Ok(plan)
}

fn baseline_ids(connection: &Connection, case: &Case) -> anyhow::Result<Vec<i64>> {
    let mut statement = connection.prepare_cached(&case.baseline_sql())?;
    let ids = statement
        .query_map(params_from_iter(&case.parameters), |row| row.get(0))?
        .collect::<Result<_, _>>()?;
    Ok(ids)
}

fn baseline_count(connection: &Connection, case: &Case) -> anyhow::Result<u64> {
    let mut statement = connection.prepare_cached(&case.baseline_sql())?;
    Ok(statement.query_row(params_from_iter(&case.parameters), |row| row.get(0))?)
}

/// Median and 95th percentile of `samples`, in microseconds.
fn summarize(samples: &mut [Duration]) -> (f64, f64) {
    samples.sort();
    let at = |fraction: f64| {
        let index = ((samples.len() - 1) as f64 * fraction).round() as usize;
        samples[index].as_secs_f64() * 1e6
    };
    (at(0.5), at(0.95))
}

/// Times both sides of `case` alternately and prints one result block.
fn measure(store: &Store, connection: &Connection, case: &Case) -> anyhow::Result<()> {
    let run_baseline = || -> anyhow::Result<()> {
        if case.count {
            std::hint::black_box(baseline_count(connection, case)?);
        } else {
            std::hint::black_box(baseline_ids(connection, case)?);
        }
        Ok(())
    };
    let run_todo = || -> anyhow::Result<()> {
        if case.count {
            std::hint::black_box(store.todo_count(&case.query)?);
        } else {
            std::hint::black_box(store.todo(&case.query)?);
        }
        Ok(())
    };

    for _ in 0..WARMUP {
        run_baseline()?;
        run_todo()?;
    }
    let mut baseline = Vec::with_capacity(REPETITIONS);
    let mut todo = Vec::with_capacity(REPETITIONS);
    let started = Instant::now();
    for repetition in 0..REPETITIONS {
        if repetition >= MIN_REPETITIONS && started.elapsed() > CASE_BUDGET {
            break;
        }
        // Alternate which side runs first, so neither always gets the
        // caches the other just warmed.
        let baseline_first = repetition % 2 == 0;
        for todo_turn in [!baseline_first, baseline_first] {
            let side_started = Instant::now();
            if todo_turn {
                run_todo()?;
                todo.push(side_started.elapsed());
            } else {
                run_baseline()?;
                baseline.push(side_started.elapsed());
            }
        }
    }

    let repetitions = baseline.len();
    let (baseline_median, baseline_p95) = summarize(&mut baseline);
    let (todo_median, todo_p95) = summarize(&mut todo);
    let todo_call = if case.count {
        "Store::todo_count"
    } else {
        "Store::todo"
    };
    println!("{} ({repetitions} repetitions)", case.name);
    println!(
        "  indexed SELECT (baseline): median {baseline_median:>9.1} us, p95 {baseline_p95:>9.1} us"
    );
    println!("  {todo_call:<25} median {todo_median:>9.1} us, p95 {todo_p95:>9.1} us");
    println!(
        "  ratio to-do / baseline:    median {:>9.1}x,  p95 {:>9.1}x",
        todo_median / baseline_median,
        todo_p95 / baseline_p95
    );
    Ok(())
}

/// Checks that the baseline and `Store::todo` agree on the rows of `case`.
fn check_rows(store: &Store, connection: &Connection, case: &Case) -> anyhow::Result<()> {
    if case.count {
        let baseline = baseline_count(connection, case)?;
        let todo = store.todo_count(&case.query)?;
        anyhow::ensure!(
            baseline == todo,
            "{}: the baseline counts {baseline} tickets but Store::todo_count {todo}",
            case.name
        );
        return Ok(());
    }
    let baseline = baseline_ids(connection, case)?;
    let todo: Vec<i64> = store.todo(&case.query)?.iter().map(|row| row.id).collect();
    anyhow::ensure!(
        baseline.len() == PAGE,
        "{}: the baseline returned {} rows, expected a full page of {PAGE}",
        case.name,
        baseline.len()
    );
    anyhow::ensure!(
        baseline == todo,
        "{}: the baseline and Store::todo return different tickets",
        case.name
    );
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let folder = tempfile::tempdir()?;
    let path = folder.path().join("kefu.db");
    let started = Instant::now();
    build_database(&path)?;
    let size = std::fs::metadata(&path)?.len() + wal_size(&path);
    println!(
        "built {OPEN_TICKETS} open and {FINISHED_TICKETS} finished tickets, {CUSTOMERS} \
         customers, {AGENTS} agents in {:.1} s ({:.0} MiB, SQLite {})",
        started.elapsed().as_secs_f64(),
        size as f64 / (1024.0 * 1024.0),
        rusqlite::version()
    );

    let store = Store::open(&path)?;
    let connection = Connection::open(&path)?;
    let cases = cases();

    println!();
    println!("query plans");
    let mut sorting = Vec::new();
    for case in &cases {
        check_rows(&store, &connection, case)?;
        println!("  {}", case.name);
        println!("    baseline:");
        print_plan(&connection, &case.baseline_sql(), &case.parameters)?;
        println!("    to-do:");
        let prefix = if case.count { "count: " } else { "page: " };
        let plan: Vec<String> = store
            .todo_plan(&case.query)?
            .into_iter()
            .filter_map(|line| line.strip_prefix(prefix).map(str::to_string))
            .collect();
        for line in &plan {
            println!("      {line}");
        }
        // The page sorts its own 50 rows at the top level; a sort inside
        // the subquery that picks them would sort every matching ticket.
        let sorts_all = plan
            .iter()
            .any(|line| line.starts_with("  ") && line.contains("TEMP B-TREE"));
        let uses_index = plan.iter().any(|line| {
            ["tickets_todo", "tickets_open_due", "tickets_assignee_todo"]
                .iter()
                .any(|index| line.contains(index))
        });
        if sorts_all || (!case.count && !uses_index) {
            sorting.push(case.name);
        }
    }
    for name in &sorting {
        println!(
            "  WARNING: the to-do query of {name:?} sorts its rows instead of reading an index in order"
        );
    }

    println!();
    for case in &cases {
        measure(&store, &connection, case)?;
    }
    Ok(())
}

fn wal_size(path: &Path) -> u64 {
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    std::fs::metadata(wal).map_or(0, |metadata| metadata.len())
}
