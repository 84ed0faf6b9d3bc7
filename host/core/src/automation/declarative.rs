//! Declarative ticket rules: parsing `rules.toml`, checking every value, and
//! evaluating a rule on an event.
//!
//! A rule reacts to the events of the `ticket-rule` world. When every
//! condition under `when` holds, it returns the actions under `then`, which
//! the host applies like those of a rule plugin.

use std::fmt;
use std::ops::Range;
use std::path::Path;

use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;
use toml::Spanned;

use crate::lifecycle::Lifecycle;
use crate::model::Channel;
use crate::plugin::api::Channel as ApiChannel;
use crate::plugin::rule_api::{Action, Event, EventKind, NewTicket};

/// Maximum length of a rule name, in characters.
const MAX_NAME_CHARS: usize = 64;

/// Maximum length of an agent name or tag, in characters; the same limit
/// the host applies to rule plugins.
const MAX_LABEL_CHARS: usize = 100;

/// Maximum length of a note, in characters; the same limit the host applies
/// to rule plugins.
const MAX_NOTE_CHARS: usize = 10_000;

/// Maximum length of a phrase id, in characters; the same limit the host
/// applies to rule plugins.
const MAX_PHRASE_ID_CHARS: usize = 200;

/// Longest `after` or `age-over` accepted: 366 days.
const MAX_DURATION_MINUTES: i64 = 366 * 24 * 60;

/// A rules file that cannot be used, with the place and the reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {}{message}", line.map(|line| format!("line {line}: ")).unwrap_or_default())]
pub struct RulesError {
    /// The file as the user named it.
    pub file: String,
    /// Line of the offending key or value, counted from 1, when known.
    pub line: Option<usize>,
    /// Description of the problem, naming the key and the value.
    pub message: String,
}

/// Event kind a rule reacts to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    MessageReceived,
    TicketCreated,
    TicketUpdated,
}

impl Trigger {
    const ALL: [Trigger; 3] = [
        Trigger::MessageReceived,
        Trigger::TicketCreated,
        Trigger::TicketUpdated,
    ];

    /// Name in `rules.toml` and in the rule API.
    pub fn name(self) -> &'static str {
        match self {
            Trigger::MessageReceived => "message-received",
            Trigger::TicketCreated => "ticket-created",
            Trigger::TicketUpdated => "ticket-updated",
        }
    }

    fn matches(self, kind: &EventKind) -> bool {
        matches!(
            (self, kind),
            (Trigger::MessageReceived, EventKind::MessageReceived(_))
                | (Trigger::TicketCreated, EventKind::TicketCreated)
                | (Trigger::TicketUpdated, EventKind::TicketUpdated(_))
        )
    }
}

/// What makes a time rule fire. The scheduler checks every open ticket, and
/// a rule fires once for each state of a ticket that matches (one
/// unanswered message, one deadline, one stay in a waiting status).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TimeTrigger {
    /// The customer's latest message has had no answer for this long.
    Unanswered(Duration),
    /// This share of the running SLA deadline's business time is used up,
    /// from 0 to 1.
    SlaWarning(f64),
    /// The running SLA deadline has passed.
    SlaBreach,
    /// The ticket has been in a status of category waiting this long.
    Waiting(Duration),
}

impl TimeTrigger {
    pub const NAMES: [&str; 4] = ["unanswered", "sla-warning", "sla-breach", "waiting"];

    /// Name in `rules.toml`, and the timer name rules see when it fires.
    pub fn name(self) -> &'static str {
        match self {
            Self::Unanswered(_) => "unanswered",
            Self::SlaWarning(_) => "sla-warning",
            Self::SlaBreach => "sla-breach",
            Self::Waiting(_) => "waiting",
        }
    }

    /// The trigger in words.
    pub fn describe(self) -> String {
        match self {
            Self::Unanswered(after) => format!(
                "when the customer's message is unanswered for {}",
                format_minutes(after.num_minutes())
            ),
            Self::SlaWarning(share) => format!(
                "when {} of the running SLA deadline's business time is used",
                format_share(share)
            ),
            Self::SlaBreach => "when the running SLA deadline passes".to_string(),
            Self::Waiting(after) => format!(
                "when waiting on the customer for {}",
                format_minutes(after.num_minutes())
            ),
        }
    }
}

/// Formats a share from 0 to 1 as a percentage with the decimals it needs,
/// such as "80%", "80.5%" or "0.25%".
fn format_share(share: f64) -> String {
    // Rounding to six decimals drops the error of dividing by 100 when
    // parsing, so 80.5% prints as written.
    let percent = (share * 100.0 * 1e6).round() / 1e6;
    format!("{percent}%")
}

/// Conditions of a rule. An empty list or `None` places no condition; a
/// list holds when any of its values matches.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Conditions {
    pub channels: Vec<Channel>,
    /// Customer tiers, lower case.
    pub tiers: Vec<String>,
    /// Words or phrases, lower case, looked for in the message's subject
    /// and body. Only `message-received` events carry a message.
    pub keywords: Vec<String>,
    pub ticket_types: Vec<String>,
    pub priorities: Vec<String>,
    pub statuses: Vec<String>,
    /// Tags of which the ticket must have at least one.
    pub tags: Vec<String>,
    /// Minimum age of the ticket, measured from its opening time.
    pub age_over: Option<Duration>,
    pub has_ticket: Option<bool>,
}

/// A ticket a rule opens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenTicket {
    pub ticket_type: String,
    pub priority: String,
    /// Stored in the ticket's history.
    pub reason: String,
}

/// Actions of a rule, applied in the order of the fields.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Actions {
    pub open_ticket: Option<OpenTicket>,
    pub set_type: Option<String>,
    pub set_priority: Option<String>,
    pub set_status: Option<String>,
    pub assign: Option<String>,
    pub add_tags: Vec<String>,
    pub add_note: Option<String>,
    pub suggest_phrase: Option<String>,
    pub send_phrase: Option<String>,
}

/// One checked rule from `rules.toml`.
#[derive(Debug, Clone, PartialEq)]
pub struct DeclarativeRule {
    /// Unique name; the rule's changes carry the actor `rule:<name>`.
    pub name: String,
    /// Events the rule reacts to; empty for a time rule.
    pub on: Vec<Trigger>,
    /// The state over time that fires a time rule; `None` for an event rule.
    pub time: Option<TimeTrigger>,
    pub enabled: bool,
    pub when: Conditions,
    pub then: Actions,
    /// Line of the rule's `name` key in its file.
    pub line: usize,
}

impl DeclarativeRule {
    /// Actor recorded in ticket history for the rule's changes.
    pub fn actor(&self) -> String {
        format!("rule:{}", self.name)
    }

    /// Returns the actions the rule takes on `event` at time `now`: all of
    /// its actions when the event is one it reacts to and every condition
    /// holds, else none. Auto-replies, bounces and bulk mail never match, so
    /// a rule cannot open tickets for them or send phrases to them.
    pub fn evaluate(&self, event: &Event, now: DateTime<Utc>) -> Vec<Action> {
        if !self.on.iter().any(|trigger| trigger.matches(&event.kind)) {
            return Vec::new();
        }
        if let EventKind::MessageReceived(received) = &event.kind
            && received.message.automation.is_some()
        {
            return Vec::new();
        }
        if !self.when.hold(event, now) {
            return Vec::new();
        }
        self.then.to_api()
    }

    /// Returns false when the rule's channel or tier condition fails for a
    /// conversation on `channel` with a customer of `tier`. Then
    /// [`DeclarativeRule::evaluate`] returns no actions for any event there,
    /// so the caller need not build the event.
    pub fn may_act_in(&self, channel: Channel, tier: &str) -> bool {
        self.when.channel_matches(ApiChannel::from(channel)) && self.when.tier_matches(tier)
    }

    /// Returns the actions of a time rule for a ticket whose state matches
    /// its trigger: all of them when every condition holds on `event`, else
    /// none.
    pub fn evaluate_time(&self, event: &Event, now: DateTime<Utc>) -> Vec<Action> {
        if self.time.is_none() || !self.when.hold(event, now) {
            return Vec::new();
        }
        self.then.to_api()
    }

    /// Describes the rule in words, one line per event list, condition and
    /// action.
    pub fn describe(&self) -> Vec<String> {
        let mut lines = Vec::new();
        let conditions = self.when.describe();
        // A time rule's first line already starts with "when", so its
        // conditions continue with "and".
        let mut word = "when";
        if let Some(time) = self.time {
            lines.push(time.describe());
            word = "and";
            if conditions.is_empty() {
                lines.push("with no other conditions".to_string());
            }
        } else {
            let on: Vec<&str> = self.on.iter().map(|trigger| trigger.name()).collect();
            lines.push(format!("on {}", on.join(" or ")));
            if conditions.is_empty() {
                lines.push("with no conditions".to_string());
            }
        }
        for condition in conditions {
            lines.push(format!("{word} {condition}"));
            word = "and";
        }
        for action in self.then.to_api() {
            lines.push(format!("then {}", describe_action(&action)));
        }
        lines
    }
}

impl Conditions {
    fn channel_matches(&self, channel: ApiChannel) -> bool {
        self.channels.is_empty()
            || self
                .channels
                .iter()
                .any(|known| ApiChannel::from(*known) == channel)
    }

    fn tier_matches(&self, tier: &str) -> bool {
        self.tiers.is_empty() || self.tiers.contains(&tier.trim().to_lowercase())
    }

    fn hold(&self, event: &Event, now: DateTime<Utc>) -> bool {
        let ticket = event.conversation.ticket.as_ref();
        if let Some(has_ticket) = self.has_ticket
            && ticket.is_some() != has_ticket
        {
            return false;
        }
        if !self.channel_matches(event.conversation.channel)
            || !self.tier_matches(&event.customer.tier)
        {
            return false;
        }
        if !self.keywords.is_empty() {
            let EventKind::MessageReceived(received) = &event.kind else {
                return false;
            };
            let message = &received.message;
            let text = format!(
                "{}\n{}",
                message.subject.as_deref().unwrap_or(""),
                message.body_text
            )
            .to_lowercase();
            if !self
                .keywords
                .iter()
                .any(|keyword| contains_keyword(&text, keyword))
            {
                return false;
            }
        }

        let needs_ticket = !self.ticket_types.is_empty()
            || !self.priorities.is_empty()
            || !self.statuses.is_empty()
            || !self.tags.is_empty()
            || self.age_over.is_some();
        if !needs_ticket {
            return true;
        }
        let Some(ticket) = ticket else {
            return false;
        };
        let listed = |values: &[String], value: &str| {
            values.is_empty() || values.iter().any(|known| known == value)
        };
        if !listed(&self.ticket_types, &ticket.ticket_type)
            || !listed(&self.priorities, &ticket.priority)
            || !listed(&self.statuses, &ticket.status)
        {
            return false;
        }
        if !self.tags.is_empty() && !self.tags.iter().any(|tag| ticket.tags.contains(tag)) {
            return false;
        }
        if let Some(age_over) = self.age_over {
            let opened_at = DateTime::<Utc>::from_timestamp(ticket.opened_at, 0).unwrap_or(now);
            if now - opened_at <= age_over {
                return false;
            }
        }
        true
    }

    fn describe(&self) -> Vec<String> {
        let mut lines = Vec::new();
        let any_of = |values: &[String]| values.join(" or ");
        if !self.channels.is_empty() {
            let channels: Vec<String> = self.channels.iter().map(|c| c.to_string()).collect();
            lines.push(format!("the channel is {}", any_of(&channels)));
        }
        if !self.tiers.is_empty() {
            lines.push(format!("the customer's tier is {}", any_of(&self.tiers)));
        }
        if !self.keywords.is_empty() {
            let quoted: Vec<String> = self.keywords.iter().map(|k| toml_string(k)).collect();
            lines.push(format!(
                "the message's subject or body contains {}",
                any_of(&quoted)
            ));
        }
        if let Some(has_ticket) = self.has_ticket {
            lines.push(if has_ticket {
                "the conversation has a ticket".to_string()
            } else {
                "the conversation has no ticket".to_string()
            });
        }
        if !self.ticket_types.is_empty() {
            lines.push(format!("the ticket type is {}", any_of(&self.ticket_types)));
        }
        if !self.priorities.is_empty() {
            lines.push(format!("the priority is {}", any_of(&self.priorities)));
        }
        if !self.statuses.is_empty() {
            lines.push(format!("the status is {}", any_of(&self.statuses)));
        }
        if !self.tags.is_empty() {
            lines.push(format!("the ticket has the tag {}", any_of(&self.tags)));
        }
        if let Some(age_over) = self.age_over {
            lines.push(format!(
                "the ticket is older than {}",
                format_minutes(age_over.num_minutes())
            ));
        }
        lines
    }
}

impl Actions {
    /// Returns the actions as rule API records, in the order they apply.
    pub fn to_api(&self) -> Vec<Action> {
        let mut actions = Vec::new();
        if let Some(open) = &self.open_ticket {
            actions.push(Action::OpenTicket(NewTicket {
                ticket_type: open.ticket_type.clone(),
                priority: open.priority.clone(),
                reason: open.reason.clone(),
            }));
        }
        if let Some(value) = &self.set_type {
            actions.push(Action::SetType(value.clone()));
        }
        if let Some(value) = &self.set_priority {
            actions.push(Action::SetPriority(value.clone()));
        }
        if let Some(value) = &self.set_status {
            actions.push(Action::SetStatus(value.clone()));
        }
        if let Some(agent) = &self.assign {
            actions.push(Action::Assign(agent.clone()));
        }
        for tag in &self.add_tags {
            actions.push(Action::AddTag(tag.clone()));
        }
        if let Some(text) = &self.add_note {
            actions.push(Action::AddNote(text.clone()));
        }
        if let Some(phrase) = &self.suggest_phrase {
            actions.push(Action::SuggestPhrase(phrase.clone()));
        }
        if let Some(phrase) = &self.send_phrase {
            actions.push(Action::SendPhrase(phrase.clone()));
        }
        actions
    }
}

/// Describes an action in words, for listings and dry-run reports.
pub fn describe_action(action: &Action) -> String {
    match action {
        Action::OpenTicket(new) => format!(
            "open a ticket (type {}, priority {})",
            new.ticket_type, new.priority
        ),
        Action::SetType(value) => format!("set type {value}"),
        Action::SetPriority(value) => format!("set priority {value}"),
        Action::SetStatus(value) => format!("set status {value}"),
        Action::Assign(agent) => format!("assign to {agent}"),
        Action::AddTag(tag) => format!("add tag {tag}"),
        Action::AddNote(text) => format!("add note {:?}", shorten(text, 60)),
        Action::ScheduleTimer(timer) => {
            format!("schedule timer {} in {} s", timer.name, timer.after_seconds)
        }
        Action::SuggestPhrase(phrase) => format!("suggest phrase {phrase}"),
        Action::SendPhrase(phrase) => format!("send phrase {phrase}"),
    }
}

fn shorten(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(max_chars).collect();
    cut.push('…');
    cut
}

/// Returns whether lower-case `text` contains lower-case `keyword`. A
/// keyword with CJK characters matches anywhere, because those scripts do
/// not separate words with spaces. Any other keyword matches whole words
/// only, so `refund` finds "Refund!" but not "refunded".
fn contains_keyword(text: &str, keyword: &str) -> bool {
    if keyword.chars().any(is_cjk) {
        return text.contains(keyword);
    }
    text.match_indices(keyword).any(|(start, _)| {
        let before = text[..start].chars().next_back();
        let after = text[start + keyword.len()..].chars().next();
        !before.is_some_and(is_word_char) && !after.is_some_and(is_word_char)
    })
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() && !is_cjk(c)
}

/// True for Chinese, Japanese and Korean characters.
fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{3040}'..='\u{30ff}'
        | '\u{3400}'..='\u{4dbf}'
        | '\u{4e00}'..='\u{9fff}'
        | '\u{ac00}'..='\u{d7af}'
        | '\u{f900}'..='\u{faff}'
        | '\u{20000}'..='\u{2fa1f}')
}

/// Formats minutes in days, hours and minutes, such as "2 h" or
/// "1 h 30 min".
fn format_minutes(minutes: i64) -> String {
    let parts = [
        (minutes / (24 * 60), "d"),
        (minutes / 60 % 24, "h"),
        (minutes % 60, "min"),
    ];
    let text: Vec<String> = parts
        .iter()
        .filter(|(count, _)| *count != 0)
        .map(|(count, unit)| format!("{count} {unit}"))
        .collect();
    if text.is_empty() {
        "0 min".to_string()
    } else {
        text.join(" ")
    }
}

/// Quotes `text` as a TOML string, as it would be written in the file.
fn toml_string(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

/// A value from the rules file, written back as TOML for error messages.
trait ToToml {
    fn to_toml(&self) -> toml::Value;
}

impl ToToml for String {
    fn to_toml(&self) -> toml::Value {
        toml::Value::String(self.clone())
    }
}

impl<T: ToToml> ToToml for Spanned<T> {
    fn to_toml(&self) -> toml::Value {
        self.get_ref().to_toml()
    }
}

impl<T: ToToml> ToToml for Vec<T> {
    fn to_toml(&self) -> toml::Value {
        toml::Value::Array(self.iter().map(ToToml::to_toml).collect())
    }
}

impl fmt::Display for DeclarativeRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "rule {}", self.name)
    }
}

// The file as written, with the place of every value for error messages.

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    rule: Vec<RawRule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawRule {
    name: Spanned<String>,
    on: Spanned<Vec<Spanned<String>>>,
    /// For `unanswered` and `waiting`: how long the state lasts first.
    after: Option<Spanned<String>>,
    /// For `sla-warning`: the share of the deadline used, such as "80%".
    at: Option<Spanned<String>>,
    #[serde(default = "enabled_by_default")]
    enabled: bool,
    #[serde(default)]
    when: RawWhen,
    then: Spanned<RawThen>,
}

fn enabled_by_default() -> bool {
    true
}

type RawList = Option<Spanned<Vec<Spanned<String>>>>;

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawWhen {
    channel: RawList,
    tier: RawList,
    keywords: RawList,
    #[serde(rename = "type")]
    ticket_type: RawList,
    priority: RawList,
    status: RawList,
    tag: RawList,
    age_over: Option<Spanned<String>>,
    has_ticket: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawThen {
    open_ticket: Option<Spanned<RawNewTicket>>,
    set_type: Option<Spanned<String>>,
    set_priority: Option<Spanned<String>>,
    set_status: Option<Spanned<String>>,
    assign: Option<Spanned<String>>,
    add_tag: RawList,
    add_note: Option<Spanned<String>>,
    suggest_phrase: Option<Spanned<String>>,
    send_phrase: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNewTicket {
    #[serde(rename = "type")]
    ticket_type: Spanned<String>,
    priority: Spanned<String>,
    reason: Option<Spanned<String>>,
}

/// Parses and checks the rules in `text`, the contents of the file `file`.
/// Every rule must pass, or none is returned: the error names the first
/// problem's line, key and value.
pub fn parse_rules(
    file: &str,
    text: &str,
    lifecycle: &Lifecycle,
) -> Result<Vec<DeclarativeRule>, RulesError> {
    let checker = Checker {
        file,
        text,
        lifecycle,
    };
    let raw: RawFile = toml::from_str(text).map_err(|error| {
        let line = error.span().map(|span| checker.line_of(&span));
        let message = match &line {
            Some(line) => format!(
                "{} (in `{}`)",
                error.message().trim_end(),
                checker.line_text(*line)
            ),
            None => error.message().trim_end().to_string(),
        };
        RulesError {
            file: file.to_string(),
            line,
            message,
        }
    })?;

    let mut rules: Vec<DeclarativeRule> = Vec::new();
    for raw_rule in raw.rule {
        let rule = checker.rule(raw_rule)?;
        if let Some(first) = rules.iter().find(|earlier| earlier.name == rule.name) {
            return Err(checker.error_at_line(
                rule.line,
                format!(
                    "name = {}: a rule on line {} has the same name; give each rule its own",
                    toml_string(&rule.name),
                    first.line
                ),
            ));
        }
        rules.push(rule);
    }
    Ok(rules)
}

/// Reads and checks the rules file at `path`.
pub fn read_rules(path: &Path, lifecycle: &Lifecycle) -> Result<Vec<DeclarativeRule>, RulesError> {
    let file = path.display().to_string();
    let text = crate::desk::read_config(path).map_err(|error| RulesError {
        file: file.clone(),
        line: None,
        message: format!("cannot read the file: {error}"),
    })?;
    parse_rules(&file, &text, lifecycle)
}

struct Checker<'t> {
    file: &'t str,
    text: &'t str,
    lifecycle: &'t Lifecycle,
}

/// The lifecycle vocabularies a rule's values are checked against.
#[derive(Clone, Copy)]
enum Vocabulary {
    Type,
    Priority,
    Status,
}

impl Checker<'_> {
    fn line_of(&self, span: &Range<usize>) -> usize {
        let end = span.start.min(self.text.len());
        self.text[..end].matches('\n').count() + 1
    }

    fn line_text(&self, line: usize) -> &str {
        self.text.lines().nth(line - 1).unwrap_or("").trim()
    }

    fn error_at_line(&self, line: usize, message: String) -> RulesError {
        RulesError {
            file: self.file.to_string(),
            line: Some(line),
            message,
        }
    }

    /// Builds an error about `value` under `key`, placed at the value's line.
    fn invalid<T: ToToml>(&self, key: &str, value: &Spanned<T>, problem: String) -> RulesError {
        self.error_at_line(
            self.line_of(&value.span()),
            format!("{key} = {}: {problem}", value.to_toml()),
        )
    }

    fn rule(&self, raw: RawRule) -> Result<DeclarativeRule, RulesError> {
        let name = raw.name.get_ref().trim().to_string();
        let name_ok = !name.is_empty()
            && name.chars().count() <= MAX_NAME_CHARS
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !name_ok {
            return Err(self.invalid(
                "name",
                &raw.name,
                format!("a rule name is 1 to {MAX_NAME_CHARS} ASCII letters, digits, `-` or `_`"),
            ));
        }
        let line = self.line_of(&raw.name.span());

        if raw.on.get_ref().is_empty() {
            return Err(self.invalid(
                "on",
                &Spanned::new(raw.on.span(), Vec::<String>::new()),
                format!("list at least one event: {}", trigger_names()),
            ));
        }
        let mut on = Vec::new();
        let mut time = None;
        for value in raw.on.get_ref() {
            if TimeTrigger::NAMES.contains(&value.get_ref().as_str()) {
                if raw.on.get_ref().len() > 1 {
                    return Err(self.invalid(
                        "on",
                        value,
                        "a time rule reacts to one state of the ticket; give it its own rule \
                         and list only this name in `on`"
                            .to_string(),
                    ));
                }
                time = Some(self.time_trigger(value, &raw.after, &raw.at)?);
                continue;
            }
            let Some(trigger) = Trigger::ALL
                .into_iter()
                .find(|trigger| trigger.name() == value.get_ref())
            else {
                return Err(self.invalid(
                    "on",
                    value,
                    format!("unknown event; expected one of {}", trigger_names()),
                ));
            };
            if !on.contains(&trigger) {
                on.push(trigger);
            }
        }
        if time.is_none() {
            for (key, value) in [("after", &raw.after), ("at", &raw.at)] {
                if let Some(value) = value {
                    return Err(self.invalid(
                        key,
                        value,
                        format!(
                            "`{key}` belongs to time rules ({}); remove it from this event rule",
                            TimeTrigger::NAMES.join(", ")
                        ),
                    ));
                }
            }
        }

        let when = self.conditions(raw.when, &on)?;
        let then_span = raw.then.span();
        let then = self.actions(raw.then.into_inner(), &name)?;
        if then == Actions::default() {
            return Err(self.error_at_line(
                self.line_of(&then_span),
                format!("rule {name:?}: [rule.then] lists no action"),
            ));
        }
        Ok(DeclarativeRule {
            name,
            on,
            time,
            enabled: raw.enabled,
            when,
            then,
            line,
        })
    }

    /// Reads a time trigger named by `value`, with its `after` or `at`.
    fn time_trigger(
        &self,
        value: &Spanned<String>,
        after: &Option<Spanned<String>>,
        at: &Option<Spanned<String>>,
    ) -> Result<TimeTrigger, RulesError> {
        let name = value.get_ref().as_str();
        let needs_after = matches!(name, "unanswered" | "waiting");
        let needs_at = name == "sla-warning";
        if let (false, Some(after)) = (needs_after, after) {
            return Err(self.invalid(
                "after",
                after,
                format!("`after` is for unanswered and waiting rules; remove it from {name:?}"),
            ));
        }
        if let (false, Some(at)) = (needs_at, at) {
            return Err(self.invalid(
                "at",
                at,
                format!("`at` is for sla-warning rules; remove it from {name:?}"),
            ));
        }
        let after = if needs_after {
            let Some(after) = after else {
                return Err(self.invalid(
                    "on",
                    value,
                    format!("a {name:?} rule needs `after`, such as after = \"30m\""),
                ));
            };
            let minutes = parse_duration(after.get_ref())
                .map_err(|problem| self.invalid("after", after, problem.to_string()))?;
            Some(Duration::minutes(minutes))
        } else {
            None
        };
        Ok(match name {
            "unanswered" => TimeTrigger::Unanswered(after.expect("checked above")),
            "waiting" => TimeTrigger::Waiting(after.expect("checked above")),
            "sla-breach" => TimeTrigger::SlaBreach,
            _ => {
                let Some(at) = at else {
                    return Err(self.invalid(
                        "on",
                        value,
                        "a \"sla-warning\" rule needs `at`, such as at = \"80%\"".to_string(),
                    ));
                };
                let percent = parse_percent(at.get_ref())
                    .map_err(|problem| self.invalid("at", at, problem))?;
                TimeTrigger::SlaWarning(percent / 100.0)
            }
        })
    }

    fn conditions(&self, raw: RawWhen, on: &[Trigger]) -> Result<Conditions, RulesError> {
        let mut when = Conditions {
            has_ticket: raw.has_ticket,
            ..Conditions::default()
        };
        for value in list(&raw.channel) {
            let channel = value.get_ref().parse::<Channel>().map_err(|_| {
                self.invalid(
                    "when.channel",
                    value,
                    "unknown channel; expected one of email, chat, phone".to_string(),
                )
            })?;
            when.channels.push(channel);
        }
        when.tiers = self.labels("when.tier", &raw.tier)?;
        when.tiers
            .iter_mut()
            .for_each(|tier| *tier = tier.to_lowercase());
        when.keywords = self.labels("when.keywords", &raw.keywords)?;
        when.keywords
            .iter_mut()
            .for_each(|keyword| *keyword = keyword.to_lowercase());
        if let Some(keywords) = &raw.keywords
            && !on.contains(&Trigger::MessageReceived)
        {
            return Err(self.invalid(
                "when.keywords",
                keywords,
                "keywords are looked for in the message, so the rule needs \
                 `on = [\"message-received\"]`"
                    .to_string(),
            ));
        }
        when.ticket_types = self.vocabulary("when.type", &raw.ticket_type, Vocabulary::Type)?;
        when.priorities = self.vocabulary("when.priority", &raw.priority, Vocabulary::Priority)?;
        when.statuses = self.vocabulary("when.status", &raw.status, Vocabulary::Status)?;
        when.tags = self.labels("when.tag", &raw.tag)?;
        if let Some(age) = &raw.age_over {
            let minutes = parse_duration(age.get_ref())
                .map_err(|problem| self.invalid("when.age-over", age, problem.to_string()))?;
            when.age_over = Some(Duration::minutes(minutes));
        }
        Ok(when)
    }

    fn actions(&self, raw: RawThen, rule_name: &str) -> Result<Actions, RulesError> {
        let mut then = Actions::default();
        if let Some(open) = &raw.open_ticket {
            let open = open.get_ref();
            self.check_vocabulary("then.open-ticket.type", &open.ticket_type, Vocabulary::Type)?;
            self.check_vocabulary(
                "then.open-ticket.priority",
                &open.priority,
                Vocabulary::Priority,
            )?;
            let reason = match &open.reason {
                Some(reason) => self.text("then.open-ticket.reason", reason, MAX_NOTE_CHARS)?,
                None => format!("rule {rule_name}"),
            };
            then.open_ticket = Some(OpenTicket {
                ticket_type: open.ticket_type.get_ref().clone(),
                priority: open.priority.get_ref().clone(),
                reason,
            });
        }
        if let Some(value) = &raw.set_type {
            self.check_vocabulary("then.set-type", value, Vocabulary::Type)?;
            then.set_type = Some(value.get_ref().clone());
        }
        if let Some(value) = &raw.set_priority {
            self.check_vocabulary("then.set-priority", value, Vocabulary::Priority)?;
            then.set_priority = Some(value.get_ref().clone());
        }
        if let Some(value) = &raw.set_status {
            self.check_vocabulary("then.set-status", value, Vocabulary::Status)?;
            then.set_status = Some(value.get_ref().clone());
        }
        if let Some(agent) = &raw.assign {
            then.assign = Some(self.text("then.assign", agent, MAX_LABEL_CHARS)?);
        }
        then.add_tags = self.labels("then.add-tag", &raw.add_tag)?;
        if let Some(text) = &raw.add_note {
            then.add_note = Some(self.text("then.add-note", text, MAX_NOTE_CHARS)?);
        }
        if let Some(phrase) = &raw.suggest_phrase {
            then.suggest_phrase =
                Some(self.text("then.suggest-phrase", phrase, MAX_PHRASE_ID_CHARS)?);
        }
        if let Some(phrase) = &raw.send_phrase {
            then.send_phrase = Some(self.text("then.send-phrase", phrase, MAX_PHRASE_ID_CHARS)?);
        }
        Ok(then)
    }

    /// Checks a list of free-text labels (tiers, tags, keywords) and returns
    /// them trimmed.
    fn labels(&self, key: &str, values: &RawList) -> Result<Vec<String>, RulesError> {
        list(values)
            .map(|value| self.text(key, value, MAX_LABEL_CHARS))
            .collect()
    }

    /// Checks that a text value is not blank and at most `max_chars` long,
    /// and returns it trimmed.
    fn text(
        &self,
        key: &str,
        value: &Spanned<String>,
        max_chars: usize,
    ) -> Result<String, RulesError> {
        let text = value.get_ref().trim();
        if text.is_empty() || text.chars().count() > max_chars {
            return Err(self.invalid(key, value, format!("expected 1 to {max_chars} characters")));
        }
        Ok(text.to_string())
    }

    fn vocabulary(
        &self,
        key: &str,
        values: &RawList,
        vocabulary: Vocabulary,
    ) -> Result<Vec<String>, RulesError> {
        list(values)
            .map(|value| {
                self.check_vocabulary(key, value, vocabulary)?;
                Ok(value.get_ref().clone())
            })
            .collect()
    }

    fn check_vocabulary(
        &self,
        key: &str,
        value: &Spanned<String>,
        vocabulary: Vocabulary,
    ) -> Result<(), RulesError> {
        let lifecycle = self.lifecycle;
        let (known, ids) = match vocabulary {
            Vocabulary::Type => (lifecycle.is_type(value.get_ref()), lifecycle.type_ids()),
            Vocabulary::Priority => (
                lifecycle.is_priority(value.get_ref()),
                lifecycle.priority_ids(),
            ),
            Vocabulary::Status => (lifecycle.is_status(value.get_ref()), lifecycle.status_ids()),
        };
        if known {
            return Ok(());
        }
        let what = key.rsplit(['.', '-']).next().unwrap_or(key);
        Err(self.invalid(key, value, format!("unknown {what}; expected one of {ids}")))
    }
}

fn list(values: &RawList) -> impl Iterator<Item = &Spanned<String>> {
    values.iter().flat_map(|values| values.get_ref().iter())
}

fn trigger_names() -> String {
    Trigger::ALL
        .iter()
        .map(|trigger| trigger.name())
        .chain(TimeTrigger::NAMES)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Reason a duration in `after` or `age-over` is invalid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DurationError {
    Malformed,
    Zero,
    TooLong,
}

impl fmt::Display for DurationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Malformed => write!(
                f,
                "expected numbers with the units d (days), h (hours) or m (minutes), largest \
                 first, such as \"30m\", \"2h\" or \"1h30m\""
            ),
            Self::Zero => write!(f, "the time is zero; give a time of at least 1m"),
            Self::TooLong => write!(
                f,
                "the time is longer than the maximum of {} days",
                MAX_DURATION_MINUTES / (24 * 60)
            ),
        }
    }
}

/// Parses a wall-clock duration such as `30m`, `2h`, `3d` or `1h30m` into
/// minutes, from one minute to [`MAX_DURATION_MINUTES`]. Each unit appears
/// at most once, larger units first, and spaces between parts are allowed.
fn parse_duration(text: &str) -> Result<i64, DurationError> {
    let mut rest = text.trim();
    if rest.is_empty() {
        return Err(DurationError::Malformed);
    }
    let units = [('d', 24 * 60), ('h', 60), ('m', 1)];
    let mut next_unit = 0;
    let mut total: u128 = 0;
    while !rest.is_empty() {
        let digits_end = rest
            .find(|c: char| !c.is_ascii_digit())
            .ok_or(DurationError::Malformed)?;
        if digits_end == 0 {
            return Err(DurationError::Malformed);
        }
        let digits = &rest[..digits_end];
        rest = rest[digits_end..].trim_start();
        let unit = rest.chars().next().ok_or(DurationError::Malformed)?;
        let offset = units[next_unit..]
            .iter()
            .position(|(name, _)| *name == unit)
            .ok_or(DurationError::Malformed)?;
        let minutes_per_unit = units[next_unit + offset].1;
        next_unit += offset + 1;
        rest = rest[unit.len_utf8()..].trim_start();

        // A number too long for u128 is far above the maximum anyway.
        let count: u128 = digits.parse().map_err(|_| DurationError::TooLong)?;
        total = count
            .checked_mul(minutes_per_unit)
            .and_then(|minutes| minutes.checked_add(total))
            .ok_or(DurationError::TooLong)?;
    }
    if total == 0 {
        return Err(DurationError::Zero);
    }
    if total > MAX_DURATION_MINUTES as u128 {
        return Err(DurationError::TooLong);
    }
    Ok(total as i64)
}

/// Parses the `at` of an sla-warning rule, such as `80%` or `80.5%`, into a
/// percentage above 0 and below 100.
fn parse_percent(text: &str) -> Result<f64, String> {
    let percent = text
        .trim()
        .strip_suffix('%')
        .and_then(|number| number.trim().parse::<f64>().ok())
        .filter(|percent| percent.is_finite())
        .ok_or_else(|| {
            "expected a share of the deadline in percent, such as \"80%\"".to_string()
        })?;
    if percent >= 100.0 {
        return Err(
            "the share must be above 0% and below 100%; for the deadline itself, use \
             on = [\"sla-breach\"]"
                .to_string(),
        );
    }
    if percent <= 0.0 {
        return Err("the share must be above 0% and below 100%, such as \"80%\"".to_string());
    }
    Ok(percent)
}
