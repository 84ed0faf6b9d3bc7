//! Routing on real database files.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, Duration, TimeZone, Utc};

use super::*;
use crate::Store;
use crate::model::Channel;
use crate::store::{NewTicket, Writer};

fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 0, 0, 0).unwrap()
}

fn new_store(folder: &Path) -> Store {
    Store::open(&folder.join("kefu.db")).unwrap()
}

fn add_agent(store: &mut Store, name: &str, skills: &[&str], max_open: Option<u32>) {
    let writer = store.writer().unwrap();
    let agent = NewAgent {
        name: name.to_string(),
        display_name: None,
        skills: skills.iter().map(|skill| skill.to_string()).collect(),
        max_open,
    };
    writer.add_agent(&agent, start()).unwrap();
    writer.commit().unwrap();
}

/// Opens a ticket for a new customer whose address is `customer`.
fn open_ticket(
    writer: &Writer<'_>,
    customer: &str,
    ticket_type: &str,
    priority: &str,
    at: DateTime<Utc>,
) -> i64 {
    let (customer, _) = writer
        .find_or_create_customer(Channel::Email, customer, None, at)
        .unwrap();
    let conversation = writer
        .create_conversation(Channel::Email, customer.id, None, Some("help"), at)
        .unwrap();
    let ticket = NewTicket {
        conversation_id: conversation,
        subject: Some("help"),
        ticket_type,
        priority,
        source: Channel::Email,
        actor: "system",
        reason: "test ticket",
    };
    writer.open_ticket(&ticket, at).unwrap()
}

/// Opens `count` normal pre-sales tickets, one minute apart.
fn open_tickets(store: &mut Store, first: usize, count: usize) -> Vec<i64> {
    let writer = store.writer().unwrap();
    let ids = (first..first + count)
        .map(|n| {
            let at = start() + Duration::minutes(n as i64);
            open_ticket(
                &writer,
                &format!("c{n}@example.cn"),
                "pre-sales",
                "normal",
                at,
            )
        })
        .collect();
    writer.commit().unwrap();
    ids
}

fn route_all(store: &mut Store, config: &RoutingConfig) -> Vec<RouteOutcome> {
    let writer = store.writer().unwrap();
    let outcomes = route_queue(&writer, config, start() + Duration::hours(1), None).unwrap();
    writer.commit().unwrap();
    outcomes
}

fn assigned_agents(outcomes: &[RouteOutcome]) -> Vec<String> {
    outcomes
        .iter()
        .map(|outcome| match outcome {
            RouteOutcome::Assigned(assignment) => assignment.agent.clone(),
            RouteOutcome::Unassigned { reason, .. } => panic!("not assigned: {reason}"),
        })
        .collect()
}

fn round_robin() -> RoutingConfig {
    RoutingConfig {
        strategy: Strategy::RoundRobin,
        ..RoutingConfig::default()
    }
}

#[test]
fn queue_puts_vip_first_then_due_time() {
    let folder = tempfile::tempdir().unwrap();
    let mut store = new_store(folder.path());
    let at = start();
    let writer = store.writer().unwrap();
    let normal = open_ticket(&writer, "normal@example.cn", "pre-sales", "normal", at);
    let urgent_no_due = open_ticket(&writer, "u1@example.cn", "pre-sales", "urgent", at);
    let urgent_due_late = open_ticket(&writer, "u2@example.cn", "pre-sales", "urgent", at);
    let urgent_due_early = open_ticket(&writer, "u3@example.cn", "pre-sales", "urgent", at);
    let vip_no_due = open_ticket(&writer, "vip@example.cn", "pre-sales", "normal", at);
    let vip_due = open_ticket(&writer, "vip@example.cn", "after-sales", "normal", at);
    let finished = open_ticket(&writer, "done@example.cn", "pre-sales", "urgent", at);
    writer
        .set_ticket_field(finished, TicketField::Status, "resolved", "system", "", at)
        .unwrap();
    let assigned = open_ticket(&writer, "taken@example.cn", "pre-sales", "urgent", at);
    writer
        .set_ticket_field(assigned, TicketField::Assignee, "lin", "system", "", at)
        .unwrap();
    writer.commit().unwrap();

    let vip = store
        .customer_by_address(Channel::Email, "vip@example.cn")
        .unwrap()
        .unwrap();
    store.set_customer_tier(vip.id, "vip").unwrap();
    let writer = store.writer().unwrap();
    writer.refresh_customer_tickets(vip.id).unwrap();
    writer.commit().unwrap();

    // The SLA computes due_at from its settings. Fixed deadlines, and none
    // for two tickets, make the order independent of those settings.
    let connection = rusqlite::Connection::open(store.path()).unwrap();
    for (id, due) in [
        (normal, Some("2026-03-02T08:00:00Z")),
        (urgent_no_due, None),
        (urgent_due_late, Some("2026-03-02T12:00:00Z")),
        (urgent_due_early, Some("2026-03-02T09:00:00Z")),
        (vip_no_due, None),
        (vip_due, Some("2026-03-02T18:00:00Z")),
    ] {
        connection
            .execute(
                "UPDATE tickets SET due_at = ?2 WHERE id = ?1",
                rusqlite::params![id, due],
            )
            .unwrap();
    }

    let queue: Vec<i64> = store
        .routing_queue(None)
        .unwrap()
        .iter()
        .map(|ticket| ticket.id)
        .collect();
    assert_eq!(
        queue,
        [
            vip_due,
            vip_no_due,
            urgent_due_early,
            urgent_due_late,
            urgent_no_due,
            normal
        ]
    );
    let limited = store.routing_queue(Some(2)).unwrap();
    assert_eq!(limited.len(), 2);
    assert_eq!(limited[0].customer_tier, "vip");
}

#[test]
fn queue_breaks_ties_by_age() {
    let folder = tempfile::tempdir().unwrap();
    let mut store = new_store(folder.path());
    let writer = store.writer().unwrap();
    let newer = open_ticket(
        &writer,
        "a@example.cn",
        "pre-sales",
        "high",
        start() + Duration::minutes(5),
    );
    let older = open_ticket(&writer, "b@example.cn", "pre-sales", "high", start());
    writer.commit().unwrap();
    let queue: Vec<i64> = store
        .routing_queue(None)
        .unwrap()
        .iter()
        .map(|ticket| ticket.id)
        .collect();
    assert_eq!(queue, [older, newer]);
}

#[test]
fn round_robin_continues_after_reopening() {
    let folder = tempfile::tempdir().unwrap();
    {
        let mut store = new_store(folder.path());
        for name in ["chen", "lin", "wang"] {
            add_agent(&mut store, name, &[], None);
        }
        open_tickets(&mut store, 0, 2);
        let outcomes = route_all(&mut store, &round_robin());
        assert_eq!(assigned_agents(&outcomes), ["chen", "lin"]);
    }

    let mut store = new_store(folder.path());
    open_tickets(&mut store, 2, 7);
    let outcomes = route_all(&mut store, &round_robin());
    assert_eq!(
        assigned_agents(&outcomes),
        ["wang", "chen", "lin", "wang", "chen", "lin", "wang"]
    );
    for agent in store.agents().unwrap() {
        assert_eq!(agent.open_load, 3, "{}", agent.name);
    }
    let RouteOutcome::Assigned(first) = &outcomes[0] else {
        unreachable!()
    };
    assert!(
        first.reason.starts_with("round-robin: next after lin"),
        "{}",
        first.reason
    );
}

#[test]
fn round_robin_wraps_over_skilled_agents() {
    let folder = tempfile::tempdir().unwrap();
    let mut store = new_store(folder.path());
    add_agent(&mut store, "chen", &["tech"], None);
    add_agent(&mut store, "lin", &[], None);
    add_agent(&mut store, "wang", &["tech"], None);
    let writer = store.writer().unwrap();
    for n in 0..4 {
        open_ticket(
            &writer,
            &format!("t{n}@example.cn"),
            "technical-support",
            "normal",
            start() + Duration::minutes(n),
        );
    }
    writer.commit().unwrap();
    let mut config = round_robin();
    config
        .required_skills
        .insert("technical-support".into(), vec!["tech".into()]);
    let outcomes = route_all(&mut store, &config);
    assert_eq!(assigned_agents(&outcomes), ["chen", "wang", "chen", "wang"]);
    assert!(
        outcomes[1].reason().contains("lin (lacks tech)"),
        "{}",
        outcomes[1].reason()
    );
}

/// A small linear congruential generator, so the generated day is the
/// same on every run.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, bound: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % bound
    }
}

#[test]
fn least_load_stays_fair_over_a_day() {
    let folder = tempfile::tempdir().unwrap();
    let mut store = new_store(folder.path());
    add_agent(&mut store, "chen", &["senior"], None);
    add_agent(&mut store, "lin", &["senior", "tech"], None);
    add_agent(&mut store, "wang", &["tech"], None);
    add_agent(&mut store, "zhou", &[], None);
    add_agent(&mut store, "zhao", &["tech", "zh"], None);
    let config = RoutingConfig::parse(
        "[required-skills]\ntechnical-support = [\"tech\"]\ncomplaint = [\"senior\"]",
        "test",
        &crate::lifecycle::Lifecycle::builtin(),
    )
    .unwrap();

    let types = ["pre-sales", "after-sales", "technical-support", "complaint"];
    let priorities = ["normal", "normal", "high", "urgent"];
    let mut random = Lcg(7);
    let mut routed: BTreeMap<String, u32> = BTreeMap::new();
    // Assigned tickets with the time their agent finishes them.
    let mut in_hand: Vec<(DateTime<Utc>, i64, String)> = Vec::new();
    let mut widest_spread = 0;
    let tickets = 500;
    for n in 0..tickets {
        // One ticket every 172 seconds fills 24 hours.
        let at = start() + Duration::seconds(n * 172);
        let writer = store.writer().unwrap();
        in_hand.sort();
        while in_hand
            .first()
            .is_some_and(|(done_at, _, _)| *done_at <= at)
        {
            let (_, id, agent) = in_hand.remove(0);
            writer
                .set_ticket_field(
                    id,
                    TicketField::Status,
                    "resolved",
                    &format!("agent:{agent}"),
                    "answered",
                    at,
                )
                .unwrap();
        }

        let ticket_type = types[random.below(4) as usize];
        let priority = priorities[random.below(4) as usize];
        let id = open_ticket(
            &writer,
            &format!("c{}@example.cn", random.below(200)),
            ticket_type,
            priority,
            at,
        );
        let needed = config.skills_for(ticket_type);
        let before = writer.agents().unwrap();
        let fewest = before
            .iter()
            .filter(|agent| agent.has_skills(needed))
            .map(|agent| agent.open_load)
            .min()
            .unwrap();

        let outcome = route_ticket(&writer, id, &config, at).unwrap();
        let assignment = outcome
            .assignment()
            .expect("some agent can take every type");
        let agent = before
            .iter()
            .find(|agent| agent.name == assignment.agent)
            .unwrap();
        assert!(
            agent.has_skills(needed),
            "{} got a {ticket_type} ticket",
            agent.name
        );
        assert_eq!(agent.open_load, fewest, "{}", assignment.reason);
        *routed.entry(assignment.agent.clone()).or_default() += 1;
        // Handling takes 20 to 60 minutes.
        let handling = Duration::minutes(20 + random.below(41) as i64);
        in_hand.push((at + handling, id, assignment.agent.clone()));
        writer.commit().unwrap();

        let loads: Vec<u32> = store
            .agents()
            .unwrap()
            .iter()
            .map(|agent| agent.open_load)
            .collect();
        let spread = loads.iter().max().unwrap() - loads.iter().min().unwrap();
        widest_spread = widest_spread.max(spread);
    }

    // Tickets finish at random times, so agents can drop below the others
    // before routing fills the gap; with this seed the widest gap is 4.
    assert!(widest_spread <= 4, "open loads spread by {widest_spread}");
    let total: u32 = routed.values().sum();
    assert_eq!(total, tickets as u32);
    for (agent, count) in &routed {
        // An even share is 100 tickets each.
        assert!(
            (70..=130).contains(count),
            "{agent} was routed {count} of {total} tickets: {routed:?}"
        );
    }
}

#[test]
fn least_load_ties_go_to_longest_waiting() {
    let folder = tempfile::tempdir().unwrap();
    let mut store = new_store(folder.path());
    add_agent(&mut store, "chen", &[], None);
    add_agent(&mut store, "lin", &[], None);
    let ids = open_tickets(&mut store, 0, 2);
    let outcomes = route_all(&mut store, &RoutingConfig::default());
    assert_eq!(assigned_agents(&outcomes), ["chen", "lin"]);

    // Both finish their tickets, so their loads tie at zero. chen was
    // routed a ticket longer ago and goes first.
    let writer = store.writer().unwrap();
    for id in ids {
        writer
            .set_ticket_field(id, TicketField::Status, "resolved", "agent:x", "", start())
            .unwrap();
    }
    writer.commit().unwrap();
    open_tickets(&mut store, 2, 1);
    let outcomes = route_all(&mut store, &RoutingConfig::default());
    assert_eq!(assigned_agents(&outcomes), ["chen"]);
    assert!(
        outcomes[0]
            .reason()
            .contains("tied with lin, and chen was routed a ticket longest ago"),
        "{}",
        outcomes[0].reason()
    );
}

#[test]
fn unavailable_and_full_agents_are_skipped() {
    let folder = tempfile::tempdir().unwrap();
    let mut store = new_store(folder.path());
    add_agent(&mut store, "chen", &[], None);
    add_agent(&mut store, "lin", &[], Some(1));
    add_agent(&mut store, "wang", &[], Some(2));
    let writer = store.writer().unwrap();
    let changes = AgentChanges {
        available: Some(false),
        ..AgentChanges::default()
    };
    writer.update_agent("chen", &changes, start()).unwrap();
    writer.commit().unwrap();

    open_tickets(&mut store, 0, 4);
    let outcomes = route_all(&mut store, &RoutingConfig::default());
    assert_eq!(assigned_agents(&outcomes[..3]), ["lin", "wang", "wang"]);
    assert!(
        outcomes[2]
            .reason()
            .contains("skipped chen (unavailable), lin (full, 1 of 1 open)"),
        "{}",
        outcomes[2].reason()
    );
    let RouteOutcome::Unassigned { reason, .. } = &outcomes[3] else {
        panic!("every agent is full or unavailable: {outcomes:?}");
    };
    assert!(reason.starts_with("no agent can take"), "{reason}");
    assert!(reason.contains("wang (full, 2 of 2 open)"), "{reason}");
    assert_eq!(store.routing_queue(None).unwrap().len(), 1);

    let overflow = RoutingConfig {
        skip_full_agents: false,
        ..RoutingConfig::default()
    };
    let outcomes = route_all(&mut store, &overflow);
    assert_eq!(assigned_agents(&outcomes), ["lin"]);
    assert!(
        outcomes[0].reason().contains("skip-full-agents is false"),
        "{}",
        outcomes[0].reason()
    );
}

#[test]
fn missing_skill_leaves_ticket_queued() {
    let folder = tempfile::tempdir().unwrap();
    let mut store = new_store(folder.path());
    add_agent(&mut store, "lin", &["tech"], None);
    let writer = store.writer().unwrap();
    let id = open_ticket(&writer, "a@example.cn", "complaint", "high", start());
    let mut config = RoutingConfig::default();
    config
        .required_skills
        .insert("complaint".into(), vec!["senior".into()]);
    let outcome = route_ticket(&writer, id, &config, start()).unwrap();
    writer.commit().unwrap();
    assert_eq!(
        outcome.reason(),
        "no agent can take this complaint ticket, which needs skill senior: lin (lacks senior)"
    );
    assert!(outcome.assignment().is_none());
    assert_eq!(store.routing_queue(None).unwrap()[0].id, id);
}

#[test]
fn no_agents_names_the_fix() {
    let folder = tempfile::tempdir().unwrap();
    let mut store = new_store(folder.path());
    open_tickets(&mut store, 0, 1);
    let outcomes = route_all(&mut store, &RoutingConfig::default());
    assert!(
        outcomes[0].reason().contains("kefu agents add"),
        "{}",
        outcomes[0].reason()
    );
}

#[test]
fn assignments_store_reason_in_history() {
    let folder = tempfile::tempdir().unwrap();
    let mut store = new_store(folder.path());
    add_agent(&mut store, "lin", &[], None);
    add_agent(&mut store, "wang", &[], None);
    open_tickets(&mut store, 0, 5);
    let outcomes = route_all(&mut store, &RoutingConfig::default());
    assert_eq!(outcomes.len(), 5);
    for outcome in &outcomes {
        let assignment = outcome.assignment().expect("assigned");
        let events = store.ticket_events(assignment.ticket_id).unwrap();
        let event = events
            .iter()
            .find(|event| event.kind == "assignee")
            .expect("an assignee event");
        assert_eq!(event.actor, ACTOR);
        assert_eq!(event.detail["to"], assignment.agent.as_str());
        assert_eq!(event.reason.as_deref(), Some(assignment.reason.as_str()));
        assert!(
            event.reason.as_deref().unwrap().starts_with("least-load: "),
            "{:?}",
            event.reason
        );
    }
}

#[test]
fn assigned_ticket_is_left_alone() {
    let folder = tempfile::tempdir().unwrap();
    let mut store = new_store(folder.path());
    add_agent(&mut store, "lin", &[], None);
    let [id] = open_tickets(&mut store, 0, 1)[..] else {
        unreachable!()
    };
    let writer = store.writer().unwrap();
    let config = RoutingConfig::default();
    assert!(
        route_ticket(&writer, id, &config, start())
            .unwrap()
            .assignment()
            .is_some()
    );
    let again = route_ticket(&writer, id, &config, start()).unwrap();
    assert_eq!(
        again.reason(),
        format!("ticket {id} is assigned to lin already")
    );
    let error = route_ticket(&writer, id + 100, &config, start()).unwrap_err();
    assert!(error.to_string().contains("not found"), "{error}");
}

#[test]
fn remove_agent_with_open_tickets_fails() {
    let folder = tempfile::tempdir().unwrap();
    let mut store = new_store(folder.path());
    add_agent(&mut store, "lin", &[], None);
    open_tickets(&mut store, 0, 3);
    route_all(&mut store, &RoutingConfig::default());
    let writer = store.writer().unwrap();
    let error = writer.remove_agent("lin").unwrap_err().to_string();
    assert!(error.contains("has 3 open tickets"), "{error}");
    assert!(error.contains("--reassign"), "{error}");

    add_agent_in(&writer, "wang");
    let outcomes =
        reassign_agent_tickets(&writer, "lin", &RoutingConfig::default(), start()).unwrap();
    assert_eq!(assigned_agents(&outcomes), ["wang", "wang", "wang"]);
    assert!(
        outcomes[0]
            .reason()
            .starts_with("reassigned from lin, who is being removed; least-load: "),
        "{}",
        outcomes[0].reason()
    );
    writer.remove_agent("lin").unwrap();
    writer.commit().unwrap();
    let names: Vec<String> = store
        .agents()
        .unwrap()
        .into_iter()
        .map(|a| a.name)
        .collect();
    assert_eq!(names, ["wang"]);
}

fn add_agent_in(writer: &Writer<'_>, name: &str) {
    let agent = NewAgent {
        name: name.to_string(),
        ..NewAgent::default()
    };
    writer.add_agent(&agent, start()).unwrap();
}

#[test]
fn agent_updates_are_checked() {
    let folder = tempfile::tempdir().unwrap();
    let mut store = new_store(folder.path());
    add_agent(&mut store, "lin", &["zh", "tech"], Some(5));
    let writer = store.writer().unwrap();
    let duplicate = NewAgent {
        name: "lin".into(),
        ..NewAgent::default()
    };
    let error = writer
        .add_agent(&duplicate, start())
        .unwrap_err()
        .to_string();
    assert!(error.contains("exists already"), "{error}");

    let changes = AgentChanges {
        display_name: Some(Some("林 Lin".into())),
        skills: Some(vec!["senior".into()]),
        available: Some(false),
        max_open: Some(None),
    };
    let agent = writer.update_agent("lin", &changes, start()).unwrap();
    assert_eq!(agent.display_name.as_deref(), Some("林 Lin"));
    assert_eq!(agent.skills, ["senior"]);
    assert!(!agent.available);
    assert_eq!(agent.max_open, None);

    let zero = AgentChanges {
        max_open: Some(Some(0)),
        ..AgentChanges::default()
    };
    assert!(writer.update_agent("lin", &zero, start()).is_err());
    let error = writer
        .update_agent("nobody", &AgentChanges::default(), start())
        .unwrap_err()
        .to_string();
    assert!(error.contains("not found"), "{error}");
}
