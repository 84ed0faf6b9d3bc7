//! The views above the conversation list, each with a live count. All and
//! Unanswered count conversations. The other views count the unfinished
//! tickets that are the agent's, a VIP customer's, due within
//! [`DUE_SOON`] or in a saved view, made in the app or with
//! `kefu tickets views`.

use std::collections::HashSet;

use chrono::{DateTime, Duration, Utc};
use kefu_core::Store;
use kefu_core::lifecycle::Lifecycle;
use kefu_core::model::ConversationSummary;
use kefu_core::todo::{AssigneeFilter, MAX_LIMIT, TodoQuery};

/// Time before a running deadline from which a ticket is "due soon".
/// Overdue tickets count too.
pub const DUE_SOON: Duration = Duration::hours(1);

/// A view of the conversation list.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum View {
    #[default]
    All,
    Unanswered,
    /// Unfinished tickets assigned to the agent running the app.
    Mine,
    /// Unfinished tickets of customers in a VIP tier of the lifecycle.
    Vip,
    /// Unfinished tickets whose running deadline is within [`DUE_SOON`].
    DueSoon,
    /// A saved to-do view, by name.
    Saved(String),
}

/// A view and how many conversations (All, Unanswered) or unfinished
/// tickets (the others) it has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewCount {
    pub view: View,
    pub count: u64,
}

/// Result of one read of the views.
#[derive(Debug, Clone, Default)]
pub struct ViewRead {
    /// Every view with its count, the built-in ones first, then the saved
    /// views by name.
    pub counts: Vec<ViewCount>,
    /// Conversations of the selected view, or `None` for every
    /// conversation.
    pub members: Option<HashSet<i64>>,
    /// True when the selected view has more tickets than one read lists,
    /// so some of its conversations are missing.
    pub truncated: bool,
}

/// Reads the count of every view and the conversations of `selected`. A
/// selected saved view that no longer exists shows no conversation.
pub fn read(
    store: &Store,
    conversations: &[ConversationSummary],
    selected: &View,
    agent: &str,
    lifecycle: &Lifecycle,
    now: DateTime<Utc>,
) -> anyhow::Result<ViewRead> {
    let saved = store.views()?;
    let unanswered = conversations
        .iter()
        .filter(|conversation| conversation.unanswered)
        .count();
    let mut counts = vec![
        ViewCount {
            view: View::All,
            count: conversations.len() as u64,
        },
        ViewCount {
            view: View::Unanswered,
            count: unanswered as u64,
        },
    ];
    let mut ticket_views = vec![View::Mine, View::Vip, View::DueSoon];
    ticket_views.extend(saved.iter().map(|(name, _)| View::Saved(name.clone())));
    for view in ticket_views {
        let count = match query(&view, agent, lifecycle, &saved, now) {
            Some(query) => store.todo_count(&query)?,
            None => 0,
        };
        counts.push(ViewCount { view, count });
    }

    let mut read = ViewRead {
        counts,
        ..ViewRead::default()
    };
    match selected {
        View::All => {}
        View::Unanswered => {
            read.members = Some(
                conversations
                    .iter()
                    .filter(|conversation| conversation.unanswered)
                    .map(|conversation| conversation.id)
                    .collect(),
            );
        }
        view => match query(view, agent, lifecycle, &saved, now) {
            Some(mut query) => {
                query.limit = MAX_LIMIT;
                let rows = store.todo(&query)?;
                read.truncated = rows.len() >= MAX_LIMIT;
                read.members = Some(rows.iter().map(|row| row.conversation_id).collect());
            }
            None => read.members = Some(HashSet::new()),
        },
    }
    Ok(read)
}

/// Returns the to-do query of a ticket view. `None` means the view has no
/// tickets (All and Unanswered, a lifecycle without VIP tiers, a saved
/// view that no longer exists).
fn query(
    view: &View,
    agent: &str,
    lifecycle: &Lifecycle,
    saved: &[(String, TodoQuery)],
    now: DateTime<Utc>,
) -> Option<TodoQuery> {
    match view {
        View::All | View::Unanswered => None,
        View::Mine => Some(TodoQuery {
            assignee: Some(AssigneeFilter::Agent(agent.to_string())),
            ..TodoQuery::default()
        }),
        // An empty tier list would mean no filter, so no VIP tiers means
        // no tickets.
        View::Vip if lifecycle.vip_tiers().is_empty() => None,
        View::Vip => Some(TodoQuery {
            tiers: lifecycle.vip_tiers().to_vec(),
            ..TodoQuery::default()
        }),
        View::DueSoon => Some(TodoQuery {
            due_before: Some(now + DUE_SOON),
            ..TodoQuery::default()
        }),
        View::Saved(name) => {
            saved
                .iter()
                .find(|(saved_name, _)| saved_name == name)
                .map(|(_, query)| TodoQuery {
                    // A saved view's own page size does not cut the list.
                    limit: 0,
                    offset: 0,
                    ..query.clone()
                })
        }
    }
}
