//! The ticket lifecycle: the types, priorities, sources and statuses a ticket
//! can have, which status changes are allowed, and what a customer's reply
//! does to a ticket.
//!
//! A team configures it in `lifecycle.toml`; without that file the built-in
//! lifecycle in `lifecycle/default.toml` applies.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use serde::Deserialize;

/// Text of the built-in lifecycle.
pub const BUILTIN: &str = include_str!("lifecycle/default.toml");

/// Name of the lifecycle file in the configuration folder.
pub const FILE_NAME: &str = "lifecycle.toml";

/// Meaning of a status for the to-do list and for reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    /// No agent has worked on the ticket yet.
    New,
    /// An agent works on it.
    Active,
    /// The team waits for the customer.
    Waiting,
    /// Finished; off the to-do list.
    Done,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::New => "new",
            Self::Active => "active",
            Self::Waiting => "waiting",
            Self::Done => "done",
        }
    }
}

/// One entry of a vocabulary: an id with its English and Chinese labels.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Term {
    pub id: String,
    pub en: String,
    pub zh: String,
}

/// A priority, with its place in the queue.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Priority {
    pub id: String,
    pub en: String,
    pub zh: String,
    /// Higher ranks come first in the queue.
    pub rank: i64,
}

/// A status, with its category and whether the SLA clock runs in it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Status {
    pub id: String,
    pub en: String,
    pub zh: String,
    pub category: Category,
    pub sla_clock: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Transition {
    from: String,
    to: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Queue {
    #[serde(default)]
    vip_tiers: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct File {
    #[serde(rename = "type")]
    types: Vec<Term>,
    #[serde(rename = "priority")]
    priorities: Vec<Priority>,
    #[serde(rename = "source")]
    sources: Vec<Term>,
    #[serde(rename = "status")]
    statuses: Vec<Status>,
    #[serde(rename = "transition", default)]
    transitions: Vec<Transition>,
    #[serde(default)]
    customer_reply: BTreeMap<String, String>,
    #[serde(default)]
    queue: Queue,
}

/// A lifecycle file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum LifecycleError {
    #[error("reading {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{source_name}: {message}")]
    Syntax {
        source_name: String,
        message: String,
    },
    #[error("{source_name}: {message}")]
    Invalid {
        source_name: String,
        message: String,
    },
}

/// A status change the lifecycle does not allow.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("unknown status {status:?}; expected one of {known}")]
    UnknownStatus { status: String, known: String },
    #[error("a ticket cannot go from {from:?} to {to:?}; from {from:?} it can go to {allowed}")]
    NotAllowed {
        from: String,
        to: String,
        allowed: String,
    },
}

/// The ticket lifecycle in force.
#[derive(Debug, Clone)]
pub struct Lifecycle {
    types: Vec<Term>,
    priorities: Vec<Priority>,
    sources: Vec<Term>,
    statuses: Vec<Status>,
    transitions: HashMap<String, Vec<String>>,
    customer_reply: HashMap<String, String>,
    vip_tiers: Vec<String>,
}

impl Lifecycle {
    /// Returns the built-in lifecycle.
    pub fn builtin() -> Self {
        Self::parse(BUILTIN, "built-in lifecycle").expect("the built-in lifecycle is valid")
    }

    /// Reads `lifecycle.toml` from `config_dir`, or returns the built-in
    /// lifecycle when the file does not exist.
    pub fn load(config_dir: &Path) -> Result<Self, LifecycleError> {
        let path = config_dir.join(FILE_NAME);
        match crate::desk::read_config(&path) {
            Ok(text) => Self::parse(&text, &path.display().to_string()),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(Self::builtin()),
            Err(source) => Err(LifecycleError::Read {
                path: path.display().to_string(),
                source,
            }),
        }
    }

    /// Parses and checks a lifecycle. `source_name` names the text in errors.
    pub fn parse(text: &str, source_name: &str) -> Result<Self, LifecycleError> {
        let file: File = toml::from_str(text).map_err(|error| LifecycleError::Syntax {
            source_name: source_name.to_string(),
            message: error.to_string().trim_end().to_string(),
        })?;
        let invalid = |message: String| LifecycleError::Invalid {
            source_name: source_name.to_string(),
            message,
        };

        check_ids("type", file.types.iter().map(|term| term.id.as_str())).map_err(invalid)?;
        check_ids(
            "priority",
            file.priorities.iter().map(|priority| priority.id.as_str()),
        )
        .map_err(invalid)?;
        check_ids("source", file.sources.iter().map(|term| term.id.as_str())).map_err(invalid)?;
        check_ids(
            "status",
            file.statuses.iter().map(|status| status.id.as_str()),
        )
        .map_err(invalid)?;
        for source in &file.sources {
            if !["email", "chat", "phone"].contains(&source.id.as_str()) {
                return Err(invalid(format!(
                    "source {:?} is not a channel Kefu has; use email, chat or phone",
                    source.id
                )));
            }
        }

        let status_ids: Vec<&str> = file.statuses.iter().map(|s| s.id.as_str()).collect();
        let known = status_ids.join(", ");
        let check_status = |key: &str, id: &str| {
            if status_ids.contains(&id) {
                Ok(())
            } else {
                Err(invalid(format!(
                    "{key}: unknown status {id:?}; expected one of {known}"
                )))
            }
        };
        let mut transitions: HashMap<String, Vec<String>> = HashMap::new();
        for transition in &file.transitions {
            check_status("transition.from", &transition.from)?;
            for to in &transition.to {
                check_status("transition.to", to)?;
                if *to == transition.from {
                    return Err(invalid(format!(
                        "transition from {:?} lists its own status in `to`; remove it",
                        transition.from
                    )));
                }
            }
            if transitions.contains_key(&transition.from) {
                return Err(invalid(format!(
                    "two [[transition]] tables have from = {:?}; merge their `to` lists",
                    transition.from
                )));
            }
            transitions.insert(transition.from.clone(), transition.to.clone());
        }
        for (from, to) in &file.customer_reply {
            check_status("customer-reply", from)?;
            check_status(&format!("customer-reply.{from}"), to)?;
            let allowed = transitions.get(from).is_some_and(|list| list.contains(to));
            if !allowed {
                return Err(invalid(format!(
                    "customer-reply.{from} = {to:?}, but no [[transition]] allows {from:?} to \
                     {to:?}; add it to the transitions or change the reply rule"
                )));
            }
        }
        if !file
            .statuses
            .iter()
            .any(|status| status.category != Category::Done)
        {
            return Err(invalid(
                "every status is in category done, so no ticket could be worked on; \
                 give at least one status category new or active"
                    .to_string(),
            ));
        }

        Ok(Self {
            types: file.types,
            priorities: file.priorities,
            sources: file.sources,
            statuses: file.statuses,
            transitions,
            customer_reply: file.customer_reply.into_iter().collect(),
            vip_tiers: file.queue.vip_tiers,
        })
    }

    pub fn types(&self) -> &[Term] {
        &self.types
    }

    pub fn priorities(&self) -> &[Priority] {
        &self.priorities
    }

    pub fn sources(&self) -> &[Term] {
        &self.sources
    }

    pub fn statuses(&self) -> &[Status] {
        &self.statuses
    }

    /// Returns the status a new ticket starts in: the first status of category new,
    /// else the first status that is not done.
    pub fn initial_status(&self) -> &str {
        self.statuses
            .iter()
            .find(|status| status.category == Category::New)
            .or_else(|| {
                self.statuses
                    .iter()
                    .find(|status| status.category != Category::Done)
            })
            .map(|status| status.id.as_str())
            .expect("a lifecycle has a status that is not done")
    }

    pub fn status(&self, id: &str) -> Option<&Status> {
        self.statuses.iter().find(|status| status.id == id)
    }

    pub fn priority(&self, id: &str) -> Option<&Priority> {
        self.priorities.iter().find(|priority| priority.id == id)
    }

    pub fn is_type(&self, id: &str) -> bool {
        self.types.iter().any(|term| term.id == id)
    }

    pub fn is_priority(&self, id: &str) -> bool {
        self.priority(id).is_some()
    }

    pub fn is_status(&self, id: &str) -> bool {
        self.status(id).is_some()
    }

    /// True when a ticket in status `id` is on the to-do list. Unknown
    /// statuses (left by an earlier lifecycle) count as open.
    pub fn is_open(&self, id: &str) -> bool {
        self.status(id)
            .is_none_or(|status| status.category != Category::Done)
    }

    /// True when the SLA clock runs while a ticket is in status `id`.
    pub fn clock_runs(&self, id: &str) -> bool {
        self.status(id).is_none_or(|status| status.sla_clock)
    }

    /// Comma-separated ids, for error messages.
    pub fn type_ids(&self) -> String {
        join(self.types.iter().map(|term| term.id.as_str()))
    }

    pub fn priority_ids(&self) -> String {
        join(self.priorities.iter().map(|priority| priority.id.as_str()))
    }

    pub fn status_ids(&self) -> String {
        join(self.statuses.iter().map(|status| status.id.as_str()))
    }

    /// Statuses a ticket in `from` may move to.
    pub fn allowed_from(&self, from: &str) -> &[String] {
        self.transitions.get(from).map_or(&[], Vec::as_slice)
    }

    /// Checks that a ticket may move from `from` to `to`. A status left by an
    /// earlier lifecycle may move to any known status, so such tickets are
    /// never stuck.
    pub fn check_transition(&self, from: &str, to: &str) -> Result<(), TransitionError> {
        if !self.is_status(to) {
            return Err(TransitionError::UnknownStatus {
                status: to.to_string(),
                known: self.status_ids(),
            });
        }
        if from == to || !self.is_status(from) {
            return Ok(());
        }
        let allowed = self.allowed_from(from);
        if allowed.iter().any(|status| status == to) {
            return Ok(());
        }
        Err(TransitionError::NotAllowed {
            from: from.to_string(),
            to: to.to_string(),
            allowed: if allowed.is_empty() {
                "no other status".to_string()
            } else {
                join(allowed.iter().map(String::as_str))
            },
        })
    }

    /// Returns the status a customer's new message moves a ticket in
    /// `status` to, if any.
    pub fn on_customer_reply(&self, status: &str) -> Option<&str> {
        self.customer_reply.get(status).map(String::as_str)
    }

    /// True when moving from `from` to `to` reopens a finished ticket.
    pub fn is_reopen(&self, from: &str, to: &str) -> bool {
        !self.is_open(from) && self.is_open(to)
    }

    /// Queue rank of a ticket: the priority's rank, and above every
    /// priority when the customer's tier is a VIP tier.
    pub fn queue_rank(&self, priority: &str, tier: &str) -> i64 {
        let top = self
            .priorities
            .iter()
            .map(|priority| priority.rank)
            .max()
            .unwrap_or(0);
        let bottom = self
            .priorities
            .iter()
            .map(|priority| priority.rank)
            .min()
            .unwrap_or(0);
        let rank = self.priority(priority).map_or(bottom, |p| p.rank);
        if self.vip_tiers.iter().any(|vip| vip == tier) {
            rank + (top - bottom) + 1
        } else {
            rank
        }
    }

    /// True when `tier` is one of the queue's VIP tiers.
    pub fn is_vip(&self, tier: &str) -> bool {
        self.vip_tiers.iter().any(|vip| vip == tier)
    }

    /// Returns the queue's VIP tiers.
    pub fn vip_tiers(&self) -> &[String] {
        &self.vip_tiers
    }
}

impl Default for Lifecycle {
    fn default() -> Self {
        Self::builtin()
    }
}

fn join<'a>(ids: impl Iterator<Item = &'a str>) -> String {
    ids.collect::<Vec<_>>().join(", ")
}

/// Checks that a vocabulary is not empty, has no repeated id, and that its
/// ids are lowercase words joined by dashes.
fn check_ids<'a>(key: &str, ids: impl Iterator<Item = &'a str>) -> Result<(), String> {
    let mut seen = HashSet::new();
    for id in ids {
        let valid = !id.is_empty()
            && id.split('-').all(|part| {
                !part.is_empty()
                    && part
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
            });
        if !valid {
            return Err(format!(
                "{key} id {id:?} is not lowercase words joined by dashes, such as \"after-sales\""
            ));
        }
        if !seen.insert(id) {
            return Err(format!("{key} id {id:?} appears twice; ids must be unique"));
        }
    }
    if seen.is_empty() {
        return Err(format!("no [[{key}]] is defined; define at least one"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn builtin() -> Lifecycle {
        Lifecycle::builtin()
    }

    /// Every pair of built-in statuses, with whether the change is allowed.
    #[test]
    fn builtin_transition_matrix() {
        let lifecycle = builtin();
        let allowed: &[(&str, &[&str])] = &[
            (
                "open",
                &["in-progress", "waiting-on-customer", "resolved", "closed"],
            ),
            (
                "in-progress",
                &["open", "waiting-on-customer", "resolved", "closed"],
            ),
            (
                "waiting-on-customer",
                &["in-progress", "resolved", "closed"],
            ),
            ("resolved", &["open", "in-progress", "closed"]),
            ("closed", &["open"]),
        ];
        let statuses: Vec<&str> = lifecycle.statuses().iter().map(|s| s.id.as_str()).collect();
        assert_eq!(statuses.len(), 5);
        for (from, targets) in allowed {
            for to in &statuses {
                let result = lifecycle.check_transition(from, to);
                if from == to || targets.contains(to) {
                    assert_eq!(result, Ok(()), "{from} -> {to} should be allowed");
                } else {
                    let error = result.expect_err(&format!("{from} -> {to} should be rejected"));
                    let message = error.to_string();
                    assert!(
                        message.contains(&format!("{from:?}"))
                            && message.contains(&format!("{to:?}")),
                        "message names both statuses: {message}"
                    );
                }
            }
        }
    }

    #[test]
    fn unknown_target_status_lists_the_known_ones() {
        let error = builtin().check_transition("open", "done").unwrap_err();
        assert_eq!(
            error.to_string(),
            "unknown status \"done\"; expected one of open, in-progress, waiting-on-customer, \
             resolved, closed"
        );
    }

    #[test]
    fn status_from_an_earlier_lifecycle_can_move_anywhere() {
        assert_eq!(builtin().check_transition("escalated", "open"), Ok(()));
        assert!(builtin().is_open("escalated"));
    }

    #[test]
    fn customer_reply_moves_waiting_and_resolved_tickets() {
        let lifecycle = builtin();
        assert_eq!(
            lifecycle.on_customer_reply("waiting-on-customer"),
            Some("in-progress")
        );
        assert_eq!(lifecycle.on_customer_reply("resolved"), Some("open"));
        assert_eq!(lifecycle.on_customer_reply("open"), None);
        assert!(lifecycle.is_reopen("resolved", "open"));
        assert!(!lifecycle.is_reopen("waiting-on-customer", "in-progress"));
    }

    #[test]
    fn vip_customers_rank_above_every_priority() {
        let lifecycle = builtin();
        assert_eq!(lifecycle.queue_rank("normal", "regular"), 0);
        assert_eq!(lifecycle.queue_rank("urgent", "regular"), 2);
        assert_eq!(lifecycle.queue_rank("normal", "vip"), 3);
        assert_eq!(lifecycle.queue_rank("urgent", "vip"), 5);
    }

    #[test]
    fn sla_clock_stops_while_waiting_on_the_customer() {
        let lifecycle = builtin();
        assert!(lifecycle.clock_runs("open"));
        assert!(!lifecycle.clock_runs("waiting-on-customer"));
        assert_eq!(lifecycle.initial_status(), "open");
    }

    fn error_of(text: &str) -> String {
        Lifecycle::parse(text, "lifecycle.toml")
            .unwrap_err()
            .to_string()
    }

    fn with(extra: &str, replace: (&str, &str)) -> String {
        format!("{}\n{extra}", BUILTIN.replace(replace.0, replace.1))
    }

    #[test]
    fn transition_to_an_unknown_status_is_named() {
        let text = with("", ("to = [\"open\"]", "to = [\"opened\"]"));
        assert_eq!(
            error_of(&text),
            "lifecycle.toml: transition.to: unknown status \"opened\"; expected one of open, \
             in-progress, waiting-on-customer, resolved, closed"
        );
    }

    #[test]
    fn unknown_key_is_named_with_its_line() {
        let text = with(
            "",
            ("sla-clock = true\n", "sla-clock = true\ncolour = \"red\"\n"),
        );
        let error = error_of(&text);
        assert!(error.contains("colour"), "{error}");
        assert!(error.contains("line"), "{error}");
    }

    #[test]
    fn unknown_category_is_named() {
        let text = with("", ("category = \"active\"", "category = \"busy\""));
        let error = error_of(&text);
        assert!(error.contains("busy"), "{error}");
        assert!(error.contains("new") && error.contains("done"), "{error}");
    }

    #[test]
    fn customer_reply_needs_an_allowed_transition() {
        let text = with(
            "",
            ("resolved = \"open\"", "resolved = \"waiting-on-customer\""),
        );
        assert_eq!(
            error_of(&text),
            "lifecycle.toml: customer-reply.resolved = \"waiting-on-customer\", but no \
             [[transition]] allows \"resolved\" to \"waiting-on-customer\"; add it to the \
             transitions or change the reply rule"
        );
    }

    #[test]
    fn repeated_id_is_rejected() {
        let text = BUILTIN.replace("id = \"high\"", "id = \"normal\"");
        assert_eq!(
            error_of(&text),
            "lifecycle.toml: priority id \"normal\" appears twice; ids must be unique"
        );
    }

    #[test]
    fn load_without_a_file_gives_the_builtin_lifecycle() {
        let folder = tempfile::tempdir().unwrap();
        let lifecycle = Lifecycle::load(folder.path()).unwrap();
        assert_eq!(lifecycle.type_ids(), builtin().type_ids());
    }

    #[test]
    fn load_names_a_file_not_in_utf8() {
        let folder = tempfile::tempdir().unwrap();
        // "未处理" in GBK. Its first two bytes happen to form a valid UTF-8
        // character, so the first invalid byte is at offset 19.
        let text = [
            b"[[status]]\nzh = \"".as_slice(),
            &[0xce, 0xb4, 0xb4, 0xa6, 0xc0, 0xed],
            b"\"\n",
        ]
        .concat();
        std::fs::write(folder.path().join(FILE_NAME), text).unwrap();
        let error = Lifecycle::load(folder.path()).unwrap_err().to_string();
        assert!(error.contains("lifecycle.toml"), "{error}");
        assert!(
            error.ends_with("not valid UTF-8 at byte 19; save the file as UTF-8"),
            "{error}"
        );
    }

    #[test]
    fn load_reads_a_custom_lifecycle() {
        let folder = tempfile::tempdir().unwrap();
        let text = BUILTIN.replace("id = \"complaint\"", "id = \"billing\"");
        std::fs::write(folder.path().join(FILE_NAME), text).unwrap();
        let lifecycle = Lifecycle::load(folder.path()).unwrap();
        assert!(lifecycle.is_type("billing"));
        assert!(!lifecycle.is_type("complaint"));
    }
}
