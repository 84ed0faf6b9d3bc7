//! Running ticket rules on events and applying their actions.
//!
//! One stored message starts a cascade. The rules receive the
//! `message-received` event, and each change their actions make (a ticket
//! opened, a field set) becomes a `ticket-created` or `ticket-updated` event
//! for the other rules. A fired timer starts a cascade in the same way.
//!
//! Three guards keep a cascade finite. A rule never receives events caused
//! by its own actions. Once a rule's actions changed the ticket, no event
//! caused by any action reaches that rule again in the cascade, so an
//! action never re-triggers the rule behind it, not even through another
//! rule. A rule also receives each kind of caused event (ticket created,
//! or an update of one field) at most once per cascade. As a last resort,
//! [`MAX_CASCADE_EVENTS`] caps the number of deliveries.

use std::collections::{HashSet, VecDeque};

use chrono::{DateTime, Utc};

use super::message::StoreContext;
use crate::automation::declarative::{DeclarativeRule, TimeTrigger};
use crate::model::{Channel, Customer, IncomingMessage};
use crate::plugin::api::Channel as ApiChannel;
use crate::plugin::rule_api::{
    Action, Conversation, Customer as RuleCustomer, Event, EventKind, History, MessageEvent,
    Ticket, TicketChange, TimerEvent,
};
use crate::plugin::{Guarded, RulePlugin, incoming_to_api};
use crate::store::write::{DueTimer, TicketField, TicketState};
use crate::store::{NewTicket, Writer};

/// Maximum length of a ticket subject taken from a message, in characters.
const MAX_SUBJECT_CHARS: usize = 200;

/// Maximum actions one rule call may return; a rule that returns more is
/// misbehaving, and applying them all would flood the ticket's history.
pub const MAX_ACTIONS_PER_CALL: usize = 100;

/// Maximum number of ticket changes rule actions may make in one cascade.
/// The cascade stops there and reports a failure.
pub const MAX_CASCADE_EVENTS: usize = 32;

/// Maximum length of a note a rule may add, in characters.
const MAX_TEXT_CHARS: usize = 10_000;

/// Maximum length of an agent name or tag a rule may set, in characters.
const MAX_NAME_CHARS: usize = 100;

/// Maximum length of a phrase id a rule may suggest or send, in characters.
const MAX_PHRASE_ID_CHARS: usize = 200;

/// Maximum timer delay a rule may request, in seconds: 366 days.
const MAX_TIMER_SECONDS: u32 = 366 * 24 * 60 * 60;

/// State of one rule cascade: the transaction it writes in, the rules, the
/// conversation and the failures it collects.
pub(super) struct Cascade<'w, 'a> {
    pub writer: &'w Writer<'a>,
    pub rules: &'w mut Vec<Guarded<RulePlugin>>,
    pub conversation_id: i64,
    /// The message that started the cascade, if a message did.
    pub message: Option<&'w IncomingMessage>,
    pub now: DateTime<Utc>,
    /// Problems to report: failed calls and rejected actions.
    pub failures: &'w mut Vec<String>,
    /// Tickets opened during the cascade.
    pub tickets_opened: u32,
    /// The parts of the event record that stay the same for the whole
    /// cascade, read when the first event is built.
    pub fixed: Option<FixedContext>,
    /// Routing state of the ticket the cascade opens.
    pub routing: NewTicketRouting,
}

/// Routing of the ticket a message's cascade opens, when the routing
/// configuration assigns new tickets.
///
/// Routing runs as if after the cascade, so a rule's own assignment wins
/// and the ticket's type after the rules decides the skills. Routing
/// picks the agent when the ticket is opened, though, so its INSERT
/// carries the assignee and no UPDATE rewrites the row and its indexes.
/// That pick stands for the one after the cascade while no action changes
/// the ticket. Until the cascade ends, rules see the ticket unassigned, and
/// the `assignee` event and the routing state are written at its end. An
/// action on the ticket first clears the assignee again, and routing then
/// runs after the cascade on the ticket as the rules left it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum NewTicketRouting {
    /// Nothing to route: not a message's cascade, or new tickets wait in
    /// the queue.
    Off,
    /// The ticket the cascade opens gets its agent in the INSERT.
    AtOpen,
    /// The ticket was inserted with this agent.
    Picked {
        ticket_id: i64,
        picked: crate::routing::PickedAgent,
    },
    /// Routing runs after the cascade, on the ticket as the rules left it.
    AfterCascade,
}

/// The parts of an event record that no rule action changes: the
/// conversation's channel, the customer (rules cannot change a name or
/// tier) and the customer's other conversations and first contact (rules
/// add no conversations or messages).
#[derive(Debug, Clone)]
pub(super) struct FixedContext {
    channel: Channel,
    customer: Customer,
    earlier_conversations: u32,
    first_contact: Option<DateTime<Utc>>,
}

/// An event waiting to be delivered, with the rule whose action caused it.
struct Pending {
    kind: EventKind,
    /// Index of the rule whose action caused the event. `None` for the event
    /// that starts the cascade.
    caused_by: Option<usize>,
    /// Deliver only to this rule (a timer goes to the rule that set it).
    only_to: Option<usize>,
}

/// Calls every rule, in order, on a newly stored inbound message, then on
/// the events their actions cause.
pub(super) fn on_message(
    context: &mut StoreContext<'_, '_>,
    message: &IncomingMessage,
    message_id: i64,
    conversation_id: i64,
) -> anyhow::Result<()> {
    let kind = EventKind::MessageReceived(MessageEvent {
        message_id,
        message: incoming_to_api(message),
    });
    let routing = if context.writer.desk().routing.assign_new_tickets {
        NewTicketRouting::AtOpen
    } else {
        NewTicketRouting::Off
    };
    let mut cascade = Cascade {
        writer: context.writer,
        rules: context.rules,
        conversation_id,
        message: Some(message),
        now: context.received_at,
        failures: &mut context.summary.rule_failures,
        tickets_opened: 0,
        fixed: None,
        routing,
    };
    cascade.run(kind, None)?;
    context.summary.tickets_opened += cascade.tickets_opened as usize;
    cascade.finish_routing()
}

/// Delivers a due timer to the rule that scheduled it and marks it fired,
/// so it fires once. A timer whose rule is not loaded is marked fired too,
/// with a failure naming it.
pub(super) fn fire_timer(
    writer: &Writer<'_>,
    rules: &mut Vec<Guarded<RulePlugin>>,
    timer: &DueTimer,
    now: DateTime<Utc>,
    failures: &mut Vec<String>,
) -> anyhow::Result<()> {
    let Some(index) = rules
        .iter()
        .position(|rule| rule.plugin.id() == timer.plugin_id && !rule.is_suspended())
    else {
        // The rule is disabled or not installed now; the timer stays
        // pending and fires when the rule runs again.
        tracing::debug!(
            plugin = timer.plugin_id,
            timer = timer.name,
            "timer due, but its rule is not running; keeping it"
        );
        return Ok(());
    };
    writer.mark_timer_fired(timer.id, now)?;
    let kind = EventKind::TimerFired(TimerEvent {
        name: timer.name.clone(),
        due_at: timer.due_at.timestamp(),
    });
    let mut cascade = Cascade {
        writer,
        rules,
        conversation_id: timer.conversation_id,
        message: None,
        now,
        failures,
        tickets_opened: 0,
        fixed: None,
        routing: NewTicketRouting::Off,
    };
    cascade.run(kind, Some(index))
}

/// Delivers a change an agent made to a ticket as a `ticket-updated`
/// event to every rule, then the events their actions cause.
pub(super) fn on_agent_change(
    writer: &Writer<'_>,
    rules: &mut Vec<Guarded<RulePlugin>>,
    conversation_id: i64,
    change: TicketChange,
    now: DateTime<Utc>,
    failures: &mut Vec<String>,
) -> anyhow::Result<()> {
    let mut cascade = Cascade {
        writer,
        rules,
        conversation_id,
        message: None,
        now,
        failures,
        tickets_opened: 0,
        fixed: None,
        routing: NewTicketRouting::Off,
    };
    cascade.run(EventKind::TicketUpdated(change), None)
}

/// A ticket whose state matches a time rule's trigger.
struct TimeCandidate {
    ticket_id: i64,
    conversation_id: i64,
    /// The state that matched, so the rule fires once for it.
    condition: String,
}

/// Runs every time rule on the tickets whose state matches its trigger at
/// `now`. A rule fires once per matching state of a ticket: its actions
/// apply when its conditions hold, and the firing is recorded so later
/// ticks skip it. Returns the number of firings.
pub(super) fn fire_time_rules(
    writer: &Writer<'_>,
    rules: &mut Vec<Guarded<RulePlugin>>,
    now: DateTime<Utc>,
    failures: &mut Vec<String>,
) -> anyhow::Result<usize> {
    let time_rules: Vec<(usize, DeclarativeRule)> = rules
        .iter()
        .enumerate()
        .filter(|(_, rule)| !rule.is_suspended())
        .filter_map(|(index, rule)| {
            rule.plugin
                .as_declarative()
                .filter(|declarative| declarative.time.is_some())
                .map(|declarative| (index, declarative.clone()))
        })
        .collect();
    let mut fired = 0;
    for (index, rule) in time_rules {
        let trigger = rule.time.expect("filtered to time rules");
        for candidate in time_candidates(writer, trigger, now)? {
            if writer.rule_fired(&rule.name, candidate.ticket_id, &candidate.condition)? {
                continue;
            }
            let mut cascade = Cascade {
                writer,
                rules,
                conversation_id: candidate.conversation_id,
                message: None,
                now,
                failures,
                tickets_opened: 0,
                fixed: None,
                routing: NewTicketRouting::Off,
            };
            let event = cascade.event(EventKind::TimerFired(TimerEvent {
                name: trigger.name().to_string(),
                due_at: now.timestamp(),
            }))?;
            let actions = rule.evaluate_time(&event, now);
            if actions.is_empty() {
                // The conditions do not hold now; they may later, so the
                // firing is not recorded.
                continue;
            }
            writer.record_rule_firing(
                &rule.name,
                candidate.ticket_id,
                &candidate.condition,
                now,
            )?;
            let caused = cascade.apply(&rule.name, actions)?;
            // A firing whose actions change nothing, such as setting the
            // priority a ticket already has, is recorded but not counted.
            if !caused.is_empty() {
                fired += 1;
            }
            let queue = caused
                .into_iter()
                .map(|kind| Pending {
                    kind,
                    caused_by: Some(index),
                    only_to: None,
                })
                .collect();
            cascade.deliver(queue, HashSet::from([index]))?;
        }
    }
    Ok(fired)
}

/// Tickets whose state matches `trigger` at `now`.
fn time_candidates(
    writer: &Writer<'_>,
    trigger: TimeTrigger,
    now: DateTime<Utc>,
) -> anyhow::Result<Vec<TimeCandidate>> {
    let rows = match trigger {
        TimeTrigger::Unanswered(after) => writer.unanswered_tickets(now - after)?,
        TimeTrigger::Waiting(after) => writer.waiting_tickets(now - after)?,
        TimeTrigger::SlaBreach => writer
            .running_deadlines()?
            .into_iter()
            .filter(|deadline| deadline.due_at <= now)
            .map(|deadline| deadline.into_candidate())
            .collect(),
        TimeTrigger::SlaWarning(share) => {
            let desk = writer.desk();
            writer
                .running_deadlines()?
                .into_iter()
                .filter(|deadline| deadline.due_at > now)
                .filter(|deadline| {
                    let targets = desk.sla.targets(&deadline.priority, &deadline.tier);
                    let target = if deadline.first_response {
                        targets.first_response
                    } else {
                        targets.resolution
                    };
                    let Some(target) = target.filter(|target| *target > chrono::Duration::zero())
                    else {
                        return false;
                    };
                    let left = desk.sla.calendar().between(now, deadline.due_at);
                    let used = 1.0 - left.num_seconds() as f64 / target.num_seconds() as f64;
                    used >= share
                })
                .map(|deadline| deadline.into_candidate())
                .collect()
        }
    };
    Ok(rows
        .into_iter()
        .map(|(ticket_id, conversation_id, condition)| TimeCandidate {
            ticket_id,
            conversation_id,
            condition,
        })
        .collect())
}

impl Cascade<'_, '_> {
    /// Delivers `first` and then every event it causes, in order, to each
    /// rule the guards allow. `only_to` limits `first` to one rule.
    fn run(&mut self, first: EventKind, only_to: Option<usize>) -> anyhow::Result<()> {
        let queue = VecDeque::from([Pending {
            kind: first,
            caused_by: None,
            only_to,
        }]);
        self.deliver(queue, HashSet::new())
    }

    /// Delivers the queued events, and the events their actions cause, to
    /// each rule the guards allow. `acted` holds the rules whose actions
    /// already changed the ticket in this cascade.
    fn deliver(
        &mut self,
        mut queue: VecDeque<Pending>,
        mut acted: HashSet<usize>,
    ) -> anyhow::Result<()> {
        // Pairs of rule index and caused-event key already delivered, for the
        // once-per-cascade guard.
        let mut delivered_caused: HashSet<(usize, String)> = HashSet::new();
        // Changes rule actions made in this cascade, for the last-resort cap.
        let mut caused_total = 0usize;

        while let Some(pending) = queue.pop_front() {
            let guard_key = event_key(&pending.kind);
            // The event record is read from the store once and reused for
            // the next rule, until a rule's actions may have changed the
            // ticket or the history it shows.
            let mut reusable: Option<Event> = None;
            for index in 0..self.rules.len() {
                if pending.only_to.is_some_and(|only| only != index)
                    || pending.caused_by == Some(index)
                    || self.rules[index].is_suspended()
                    || !self.rules[index].plugin.listens_to(&pending.kind)
                    || (pending.caused_by.is_some()
                        && (acted.contains(&index)
                            || delivered_caused.contains(&(index, guard_key.clone()))))
                {
                    continue;
                }

                if pending.caused_by.is_some() {
                    delivered_caused.insert((index, guard_key.clone()));
                }
                if !self.may_act(index)? {
                    continue;
                }

                let event = match reusable.take() {
                    Some(event) => event,
                    None => self.event(pending.kind.clone())?,
                };
                let rule = &mut self.rules[index];
                let rule_id = rule.plugin.id().to_string();
                // Named in failures only, so it is formatted only for them.
                let (event_name, conversation_id) =
                    (event_name(&pending.kind), self.conversation_id);
                let input = move || format!("{event_name} on conversation {conversation_id}");
                let result = rule.plugin.on_event(&event);
                if result.is_err() {
                    rule.record(&rule_id, &input(), &result);
                }
                if matches!(&result, Ok(actions) if actions.is_empty()) {
                    reusable = Some(event);
                }

                match result {
                    Ok(actions) if actions.len() > MAX_ACTIONS_PER_CALL => {
                        self.reject(
                            &rule_id,
                            format!(
                                "{} actions in one answer to {}, more than the \
                                 {MAX_ACTIONS_PER_CALL} allowed; none was applied",
                                actions.len(),
                                input()
                            ),
                        );
                    }
                    Ok(actions) => {
                        let caused = self.apply(&rule_id, actions)?;
                        if !caused.is_empty() {
                            acted.insert(index);
                        }
                        caused_total += caused.len();
                        if caused_total > MAX_CASCADE_EVENTS {
                            self.failures.push(format!(
                                "conversation {}: rule cascade stopped after \
                                 {MAX_CASCADE_EVENTS} changes made by rules; check the rules \
                                 for actions that keep triggering each other",
                                self.conversation_id
                            ));
                            return Ok(());
                        }
                        for kind in caused {
                            queue.push_back(Pending {
                                kind,
                                caused_by: Some(index),
                                only_to: None,
                            });
                        }
                    }
                    Err(error) => {
                        let mut failure = format!("{error} ({})", input());
                        if let Some(reason) = self.rules[index].disabled_reason() {
                            failure.push_str(&format!("; plugin {rule_id} disabled: {reason}"));
                        }
                        tracing::warn!(rule = rule_id, "{failure}");
                        self.failures.push(failure);
                    }
                }
            }
        }
        Ok(())
    }

    /// Returns false when rule `index` is a declarative rule whose channel
    /// or tier condition fails in this conversation, so it would return no
    /// actions and its event need not be built.
    fn may_act(&mut self, index: usize) -> anyhow::Result<bool> {
        if self.rules[index].plugin.as_declarative().is_none() {
            return Ok(true);
        }
        self.fixed()?;
        let fixed = self.fixed.as_ref().expect("read above");
        let rule = self.rules[index]
            .plugin
            .as_declarative()
            .expect("checked above");
        Ok(rule.may_act_in(fixed.channel, &fixed.customer.tier))
    }

    /// Builds the event record with the conversation as it is now.
    fn event(&mut self, kind: EventKind) -> anyhow::Result<Event> {
        let state = self.writer.conversation_state(self.conversation_id)?;
        let fixed = self.fixed()?.clone();
        let (tickets, open_tickets) = self.writer.customer_ticket_counts(fixed.customer.id)?;
        let mut ticket = state.ticket.map(ticket_record);
        // Routing has not run yet as far as the rules can tell, so the
        // agent picked for the ticket's INSERT is not shown.
        if let (Some(ticket), NewTicketRouting::Picked { ticket_id, .. }) =
            (&mut ticket, &self.routing)
            && ticket.id == *ticket_id
        {
            ticket.assignee = None;
        }
        Ok(Event {
            kind,
            conversation: Conversation {
                id: self.conversation_id,
                channel: ApiChannel::from(fixed.channel),
                message_count: state.message_count,
                ticket,
            },
            customer: RuleCustomer {
                id: fixed.customer.id,
                name: fixed.customer.name,
                tier: fixed.customer.tier,
                history: History {
                    earlier_conversations: fixed.earlier_conversations,
                    tickets,
                    open_tickets,
                    first_contact: fixed.first_contact.map(|time| time.timestamp()),
                },
            },
        })
    }

    /// Returns the parts of the event record that no rule action changes,
    /// read from the store the first time.
    fn fixed(&mut self) -> anyhow::Result<&FixedContext> {
        if self.fixed.is_none() {
            self.fixed = Some(self.read_fixed()?);
        }
        Ok(self.fixed.as_ref().expect("read above"))
    }

    /// Reads the parts of the event record that no rule action changes.
    fn read_fixed(&self) -> anyhow::Result<FixedContext> {
        let channel = self.writer.conversation_channel(self.conversation_id)?;
        let customer = self.writer.conversation_customer(self.conversation_id)?;
        Ok(FixedContext {
            channel,
            earlier_conversations: self
                .writer
                .other_conversation_count(customer.id, self.conversation_id)?,
            first_contact: self.writer.customer_first_contact(customer.id)?,
            customer,
        })
    }

    /// Applies a rule's actions in order and returns the events they caused.
    /// An invalid action is rejected with a failure, and the rest still apply.
    fn apply(&mut self, rule_id: &str, actions: Vec<Action>) -> anyhow::Result<Vec<EventKind>> {
        let actor = self.actor_of(rule_id);
        let now = self.now;
        let mut caused = Vec::new();
        for action in actions {
            let ticket_id = self.writer.open_ticket_of(self.conversation_id)?;

            if let Action::OpenTicket(new) = &action {
                // The conversation already has a ticket, so the request is
                // ignored without a failure.
                if ticket_id.is_some() {
                    continue;
                }
                // An auto-reply, a bounce or bulk mail is stored and shown
                // but opens no ticket, whatever actions a rule plugin returns.
                if let Some(automation) =
                    self.message.and_then(|message| message.automation.as_ref())
                {
                    tracing::debug!(
                        rule = rule_id,
                        "ignored open-ticket for automatic mail ({})",
                        automation.evidence
                    );
                    continue;
                }
                if let Some(error) = ticket_vocabulary_error(
                    &self.writer.desk().lifecycle,
                    &new.ticket_type,
                    &new.priority,
                ) {
                    self.reject(rule_id, error);
                    continue;
                }
                let subject = self.message.and_then(ticket_subject);
                let channel = self.fixed()?.channel;
                // The SLA clock starts when the customer wrote, which can
                // be before an import opened the ticket.
                let written_at = self.message.and_then(|message| message.sent_at);
                let ticket = NewTicket {
                    conversation_id: self.conversation_id,
                    subject: subject.as_deref(),
                    ticket_type: &new.ticket_type,
                    priority: &new.priority,
                    source: channel,
                    actor: &actor,
                    reason: &new.reason,
                };
                match self.pick_agent_at_open(&new.ticket_type)? {
                    Some(picked) => {
                        let ticket_id = self.writer.open_ticket_assigned(
                            &ticket,
                            now,
                            written_at,
                            &picked.agent,
                        )?;
                        self.routing = NewTicketRouting::Picked { ticket_id, picked };
                    }
                    None => {
                        self.writer
                            .open_ticket_written_at(&ticket, now, written_at)?;
                    }
                }
                self.tickets_opened += 1;
                caused.push(EventKind::TicketCreated);
                continue;
            }

            // Every other action works on an existing ticket and is ignored
            // when there is none.
            let Some(ticket_id) = ticket_id else {
                continue;
            };
            self.unpick_agent(ticket_id)?;
            let is_send_phrase = matches!(action, Action::SendPhrase(_));
            let reason = "rule action";

            match action {
                Action::OpenTicket(_) => unreachable!("handled above"),
                Action::SetType(value) => {
                    self.set_field(rule_id, ticket_id, TicketField::Type, &value, &mut caused)?;
                }
                Action::SetPriority(value) => {
                    self.set_field(
                        rule_id,
                        ticket_id,
                        TicketField::Priority,
                        &value,
                        &mut caused,
                    )?;
                }
                Action::SetStatus(value) => {
                    self.set_field(rule_id, ticket_id, TicketField::Status, &value, &mut caused)?;
                }
                Action::Assign(agent) => {
                    let agent = agent.trim();
                    if agent.is_empty() || agent.chars().count() > MAX_NAME_CHARS {
                        self.reject(
                            rule_id,
                            format!(
                                "agent name {agent:?} is empty or longer than {MAX_NAME_CHARS} \
                                 characters"
                            ),
                        );
                        continue;
                    }
                    if let Some(old) = self.writer.set_ticket_field(
                        ticket_id,
                        TicketField::Assignee,
                        agent,
                        &actor,
                        reason,
                        now,
                    )? {
                        caused.push(field_change(TicketField::Assignee, old, agent, &actor));
                    }
                }
                Action::AddTag(tag) => {
                    let tag = tag.trim();
                    if tag.is_empty() || tag.chars().count() > MAX_NAME_CHARS {
                        self.reject(
                            rule_id,
                            format!(
                                "tag {tag:?} is empty or longer than {MAX_NAME_CHARS} characters"
                            ),
                        );
                        continue;
                    }
                    if self.writer.add_tag(ticket_id, tag, &actor, reason, now)? {
                        caused.push(EventKind::TicketUpdated(TicketChange {
                            field: "tag".to_string(),
                            old_value: None,
                            new_value: Some(tag.to_string()),
                            actor: actor.clone(),
                        }));
                    }
                }
                Action::AddNote(text) => {
                    if text.trim().is_empty() || text.chars().count() > MAX_TEXT_CHARS {
                        self.reject(
                            rule_id,
                            format!("note is empty or longer than {MAX_TEXT_CHARS} characters"),
                        );
                        continue;
                    }
                    self.writer.add_note(ticket_id, &text, &actor, now)?;
                    caused.push(EventKind::TicketUpdated(TicketChange {
                        field: "note".to_string(),
                        old_value: None,
                        new_value: Some(text),
                        actor: actor.clone(),
                    }));
                }
                Action::ScheduleTimer(timer) => {
                    if timer.name.trim().is_empty() || timer.after_seconds > MAX_TIMER_SECONDS {
                        self.reject(
                            rule_id,
                            format!(
                                "timer {:?} after {} s: the name is empty or the wait is longer \
                                 than a year",
                                timer.name, timer.after_seconds
                            ),
                        );
                        continue;
                    }
                    let due = now + chrono::Duration::seconds(i64::from(timer.after_seconds));
                    self.writer
                        .schedule_timer(ticket_id, rule_id, &timer.name, due, now)?;
                }
                Action::SuggestPhrase(phrase) | Action::SendPhrase(phrase) => {
                    if phrase.trim().is_empty() || phrase.chars().count() > MAX_PHRASE_ID_CHARS {
                        self.reject(
                            rule_id,
                            format!(
                                "phrase id {phrase:?} is empty or longer than \
                                 {MAX_PHRASE_ID_CHARS} characters"
                            ),
                        );
                        continue;
                    }
                    if !self.writer.phrase_exists(phrase.trim())? {
                        self.reject(
                            rule_id,
                            format!(
                                "unknown phrase id {:?}; `kefu phrases list` shows the known ones",
                                phrase.trim()
                            ),
                        );
                        continue;
                    }
                    self.writer.record_phrase_request(
                        ticket_id,
                        phrase.trim(),
                        is_send_phrase,
                        &actor,
                        now,
                    )?;
                    if is_send_phrase {
                        self.send_phrase(rule_id, ticket_id, phrase.trim(), &actor)?;
                    }
                }
            }
        }
        Ok(caused)
    }

    /// Picks the agent for the ticket about to be opened with type
    /// `ticket_type`, when routing runs at open. Returns `None`, and leaves
    /// routing to the end of the cascade, when the lifecycle's first status
    /// is not open or no agent can take the ticket now.
    fn pick_agent_at_open(
        &mut self,
        ticket_type: &str,
    ) -> anyhow::Result<Option<crate::routing::PickedAgent>> {
        if self.routing != NewTicketRouting::AtOpen {
            return Ok(None);
        }
        self.routing = NewTicketRouting::AfterCascade;
        let desk = self.writer.desk();
        if !desk.lifecycle.is_open(desk.lifecycle.initial_status()) {
            return Ok(None);
        }
        crate::routing::pick_for_new_ticket(self.writer, ticket_type, &desk.routing)
    }

    /// Clears the agent picked at open from ticket `ticket_id` before an
    /// action changes it, because routing then depends on the changed
    /// ticket. Routing runs again after the cascade.
    fn unpick_agent(&mut self, ticket_id: i64) -> anyhow::Result<()> {
        if matches!(&self.routing, NewTicketRouting::Picked { ticket_id: picked, .. } if *picked == ticket_id)
        {
            self.writer.clear_inserted_assignee(ticket_id)?;
            self.routing = NewTicketRouting::AfterCascade;
        }
        Ok(())
    }

    /// Completes routing of the ticket the cascade opened: records the
    /// assignment picked at open, or routes the ticket as the rules left
    /// it.
    fn finish_routing(&mut self) -> anyhow::Result<()> {
        match std::mem::replace(&mut self.routing, NewTicketRouting::Off) {
            NewTicketRouting::Picked { ticket_id, picked } => {
                self.writer.record_inserted_assignee(
                    ticket_id,
                    &picked.agent,
                    crate::routing::ACTOR,
                    &picked.reason,
                    self.now,
                )?;
                crate::routing::record_routed(self.writer, ticket_id, &picked.agent, &picked.reason)
            }
            NewTicketRouting::AfterCascade => {
                let Some(ticket_id) = self.writer.open_ticket_of(self.conversation_id)? else {
                    return Ok(());
                };
                let outcome = crate::routing::route_ticket(
                    self.writer,
                    ticket_id,
                    &self.writer.desk().routing,
                    self.now,
                )?;
                tracing::debug!(ticket = ticket_id, "routing: {}", outcome.reason());
                Ok(())
            }
            NewTicketRouting::Off | NewTicketRouting::AtOpen => Ok(()),
        }
    }

    /// Queues a phrase as an automatic reply on the ticket. Nothing is sent
    /// to automatic mail: the message that started the cascade, or for a
    /// time rule the conversation's latest inbound message, must be a
    /// person's. A reply not sent is in the ticket history with the reason,
    /// and, unless it was withheld on purpose, among the cascade's failures.
    fn send_phrase(
        &mut self,
        rule_id: &str,
        ticket_id: i64,
        phrase: &str,
        actor: &str,
    ) -> anyhow::Result<()> {
        let automation = match self.message {
            Some(message) => message
                .automation
                .as_ref()
                .map(|automation| automation.kind.as_str().to_string()),
            None => self
                .writer
                .latest_inbound_automation(self.conversation_id)?,
        };
        let outcome = crate::outbound::queue_phrase_reply(
            self.writer,
            ticket_id,
            phrase,
            actor,
            automation.as_deref(),
            self.now,
        )?;
        if let crate::outbound::AutomaticReply::Failed(reason) = outcome {
            self.reject(
                rule_id,
                format!("send-phrase {phrase:?} not sent: {reason}"),
            );
        }
        Ok(())
    }

    /// Sets a ticket's type, priority or status after checking the value
    /// against the vocabulary. An actual change becomes a `ticket-updated`
    /// event in `caused`.
    fn set_field(
        &mut self,
        rule_id: &str,
        ticket_id: i64,
        field: TicketField,
        value: &str,
        caused: &mut Vec<EventKind>,
    ) -> anyhow::Result<()> {
        let lifecycle = &self.writer.desk().lifecycle;
        let (known, ids) = match field {
            TicketField::Type => (lifecycle.is_type(value), lifecycle.type_ids()),
            TicketField::Priority => (lifecycle.is_priority(value), lifecycle.priority_ids()),
            TicketField::Status => (lifecycle.is_status(value), lifecycle.status_ids()),
            TicketField::Assignee => unreachable!("assignees are free text"),
        };
        if !known {
            self.reject(
                rule_id,
                format!("unknown {} {value:?}; expected one of {ids}", field.name()),
            );
            return Ok(());
        }
        if field == TicketField::Status {
            let current = self
                .writer
                .conversation_state(self.conversation_id)?
                .ticket
                .map(|ticket| ticket.status)
                .unwrap_or_default();
            if let Err(error) = lifecycle.check_transition(&current, value) {
                self.reject(rule_id, format!("ticket {ticket_id}: {error}"));
                return Ok(());
            }
        }

        let actor = self.actor_of(rule_id);
        if let Some(old) = self.writer.set_ticket_field(
            ticket_id,
            field,
            value,
            &actor,
            "rule action",
            self.now,
        )? {
            caused.push(field_change(field, old, value, &actor));
        }
        Ok(())
    }

    /// Returns the actor recorded for a rule's changes: `plugin:<id>`, or
    /// `rule:<name>` for a declarative rule.
    fn actor_of(&self, rule_id: &str) -> String {
        self.rules
            .iter()
            .find(|rule| rule.plugin.id() == rule_id)
            .map_or_else(|| format!("plugin:{rule_id}"), |rule| rule.plugin.actor())
    }

    /// Logs a rejected action and adds it to the cascade's failures.
    fn reject(&mut self, rule_id: &str, reason: String) {
        let rule = self.actor_of(rule_id).replacen(':', " ", 1);
        let failure = format!("{rule}: action rejected: {}", shorten(&reason));
        tracing::warn!(rule = rule_id, "{failure}");
        self.failures.push(failure);
    }
}

/// Cuts a rejection reason that quotes a plugin's value to a readable
/// length, so a megabyte-long tag does not fill the log.
fn shorten(text: &str) -> String {
    const MAX_CHARS: usize = 300;
    if text.chars().count() <= MAX_CHARS {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(MAX_CHARS).collect();
    cut.push('…');
    cut
}

fn field_change(field: TicketField, old: Option<String>, new: &str, actor: &str) -> EventKind {
    EventKind::TicketUpdated(TicketChange {
        field: field.name().to_string(),
        old_value: old,
        new_value: Some(new.to_string()),
        actor: actor.to_string(),
    })
}

/// Returns the cascade guard's key for an event, which is its name with the
/// changed field appended for `ticket-updated`.
fn event_key(kind: &EventKind) -> String {
    match kind {
        EventKind::TicketUpdated(change) => format!("ticket-updated:{}", change.field),
        other => event_name(other).to_string(),
    }
}

fn event_name(kind: &EventKind) -> &'static str {
    match kind {
        EventKind::MessageReceived(_) => "message-received",
        EventKind::TicketCreated => "ticket-created",
        EventKind::TicketUpdated(_) => "ticket-updated",
        EventKind::TimerFired(_) => "timer-fired",
    }
}

fn ticket_record(ticket: TicketState) -> Ticket {
    Ticket {
        id: ticket.id,
        ticket_type: ticket.ticket_type,
        priority: ticket.priority,
        status: ticket.status,
        assignee: ticket.assignee,
        tags: ticket.tags,
        opened_at: ticket.opened_at.timestamp(),
    }
}

/// Returns an error message when a new ticket's type or priority is not in
/// the lifecycle, or `None` when both are valid.
fn ticket_vocabulary_error(
    lifecycle: &crate::lifecycle::Lifecycle,
    ticket_type: &str,
    priority: &str,
) -> Option<String> {
    if !lifecycle.is_type(ticket_type) {
        return Some(format!(
            "unknown ticket type {ticket_type:?}; expected one of {}",
            lifecycle.type_ids()
        ));
    }
    if !lifecycle.is_priority(priority) {
        return Some(format!(
            "unknown priority {priority:?}; expected one of {}",
            lifecycle.priority_ids()
        ));
    }
    None
}

/// Returns the message's subject, else the first non-empty line of its text,
/// cut to [`MAX_SUBJECT_CHARS`] characters.
fn ticket_subject(message: &IncomingMessage) -> Option<String> {
    let text = message
        .subject
        .as_deref()
        .map(str::trim)
        .filter(|subject| !subject.is_empty())
        .or_else(|| {
            message
                .body_text
                .lines()
                .map(str::trim)
                .find(|line| !line.is_empty())
        })?;
    Some(text.chars().take(MAX_SUBJECT_CHARS).collect())
}
