//! Running ticket rules on a stored message and applying their actions.

use super::message::StoreContext;
use crate::model::{Customer, IncomingMessage};
use crate::plugin::rule_api::{
    Action, Conversation, Customer as RuleCustomer, MessageEvent, Ticket,
};
use crate::plugin::{MAX_CONSECUTIVE_FAULTS, incoming_to_api};
use crate::store::NewTicket;
use crate::ticket;

/// Maximum length of a ticket subject taken from a message, in characters.
const MAX_SUBJECT_CHARS: usize = 200;

/// Calls every rule, in order, on a newly stored inbound message and applies
/// the actions each returns before the next rule runs, so later rules see
/// the ticket an earlier one opened. A failing rule is logged and skipped.
pub(super) fn run_rules(
    context: &mut StoreContext<'_, '_>,
    message: &IncomingMessage,
    message_id: i64,
    conversation_id: i64,
    customer: &Customer,
) -> anyhow::Result<()> {
    let api_message = incoming_to_api(message);
    let earlier_conversations = context
        .writer
        .other_conversation_count(customer.id, conversation_id)?;
    for index in 0..context.rules.len() {
        let rule = &mut context.rules[index];
        if rule.is_suspended() {
            continue;
        }
        let state = context.writer.conversation_state(conversation_id)?;
        let event = MessageEvent {
            message_id,
            message: api_message.clone(),
            conversation: Conversation {
                id: conversation_id,
                channel: crate::plugin::api::Channel::from(message.channel),
                message_count: state.message_count,
                ticket: state.ticket.map(|ticket| Ticket {
                    id: ticket.id,
                    ticket_type: ticket.ticket_type,
                    priority: ticket.priority,
                    status: ticket.status,
                    tags: ticket.tags,
                }),
            },
            customer: RuleCustomer {
                id: customer.id,
                name: customer.name.clone(),
                tier: customer.tier.clone(),
                earlier_conversations,
            },
        };
        let result = rule.plugin.on_message(&event);
        rule.record(&result);
        let rule_id = rule.plugin.id().to_string();
        match result {
            Ok(actions) => apply_actions(context, &rule_id, conversation_id, message, actions)?,
            Err(error) => {
                let mut failure = format!("{error} (message {message_id})");
                if context.rules[index].is_suspended() {
                    failure.push_str(&format!(
                        "; skipping {rule_id} for the rest of this import after \
                         {MAX_CONSECUTIVE_FAULTS} failures in a row"
                    ));
                }
                tracing::warn!(rule = rule_id, message_id, "{failure}");
                context.summary.rule_failures.push(failure);
            }
        }
    }
    Ok(())
}

fn apply_actions(
    context: &mut StoreContext<'_, '_>,
    rule_id: &str,
    conversation_id: i64,
    message: &IncomingMessage,
    actions: Vec<Action>,
) -> anyhow::Result<()> {
    let actor = format!("plugin:{rule_id}");
    let now = context.received_at;
    for action in actions {
        let ticket_id = context
            .writer
            .conversation_state(conversation_id)?
            .ticket
            .map(|ticket| ticket.id);
        match action {
            Action::OpenTicket(new) => {
                if ticket_id.is_some() {
                    continue;
                }
                if let Some(problem) = invalid_ticket(&new.ticket_type, &new.priority) {
                    reject_action(context, rule_id, problem);
                    continue;
                }
                let subject = ticket_subject(message);
                context.writer.open_ticket(
                    &NewTicket {
                        conversation_id,
                        subject: subject.as_deref(),
                        ticket_type: &new.ticket_type,
                        priority: &new.priority,
                        source: message.channel,
                        actor: &actor,
                        reason: &new.reason,
                    },
                    now,
                )?;
                context.summary.tickets_opened += 1;
            }
            Action::SetPriority(priority) => {
                if !ticket::is_priority(&priority) {
                    let problem = format!(
                        "unknown priority {priority:?}; expected one of {}",
                        ticket::ids(ticket::PRIORITIES)
                    );
                    reject_action(context, rule_id, problem);
                    continue;
                }
                if let Some(ticket_id) = ticket_id {
                    context.writer.set_priority(
                        ticket_id,
                        &priority,
                        &actor,
                        "rule action",
                        now,
                    )?;
                }
            }
            Action::AddTag(tag) => {
                let tag = tag.trim();
                if tag.is_empty() {
                    reject_action(context, rule_id, "empty tag".to_string());
                    continue;
                }
                if let Some(ticket_id) = ticket_id {
                    context
                        .writer
                        .add_tag(ticket_id, tag, &actor, "rule action", now)?;
                }
            }
        }
    }
    Ok(())
}

fn invalid_ticket(ticket_type: &str, priority: &str) -> Option<String> {
    if !ticket::is_ticket_type(ticket_type) {
        return Some(format!(
            "unknown ticket type {ticket_type:?}; expected one of {}",
            ticket::ids(ticket::TICKET_TYPES)
        ));
    }
    if !ticket::is_priority(priority) {
        return Some(format!(
            "unknown priority {priority:?}; expected one of {}",
            ticket::ids(ticket::PRIORITIES)
        ));
    }
    None
}

fn reject_action(context: &mut StoreContext<'_, '_>, rule_id: &str, problem: String) {
    let failure = format!("plugin {rule_id}: action rejected: {problem}");
    tracing::warn!(rule = rule_id, "{failure}");
    context.summary.rule_failures.push(failure);
}

/// Returns the message's subject, else the first non-empty line of its text.
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
