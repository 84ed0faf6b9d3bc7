//! The Fluent catalogs of the UI's words, one per language, embedded in the
//! binary, and the language they are formatted in.
//!
//! A message missing from the current language falls back to English, and
//! one missing from English shows its id. Either is logged once.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Mutex, OnceLock};

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

use crate::format;
use crate::language::Language;

/// The Fluent source of each language, in the order of [`Language::ALL`].
pub const SOURCES: [(Language, &str); 2] = [
    (Language::English, include_str!("../../locales/en.ftl")),
    (
        Language::SimplifiedChinese,
        include_str!("../../locales/zh-CN.ftl"),
    ),
];

/// Index into [`Language::ALL`] of the language labels are formatted in.
static CURRENT: AtomicU8 = AtomicU8::new(0);

pub fn current() -> Language {
    Language::ALL[usize::from(CURRENT.load(Ordering::Relaxed))]
}

pub fn set(language: Language) {
    CURRENT.store(index(language) as u8, Ordering::Relaxed);
    tracing::info!(language = language.tag(), "UI language set");
}

fn index(language: Language) -> usize {
    Language::ALL
        .iter()
        .position(|candidate| *candidate == language)
        .expect("Language::ALL lists every language")
}

/// One language's messages.
struct Catalog {
    bundle: FluentBundle<FluentResource>,
    /// The messages without placeholders, formatted once so that their
    /// labels can return `&'static str`.
    plain: HashMap<String, String>,
}

impl Catalog {
    fn load(language: Language, source: &str) -> Self {
        let resource = match FluentResource::try_new(source.to_string()) {
            Ok(resource) => resource,
            Err((resource, errors)) => {
                // The rest of the file still loads, and the messages that
                // failed to parse fall back to English.
                tracing::error!(
                    language = language.tag(),
                    ?errors,
                    "syntax errors in the embedded translation file"
                );
                resource
            }
        };
        let tag = language
            .tag()
            .parse()
            .expect("every language tag is a valid BCP 47 tag");
        let mut bundle = FluentBundle::new_concurrent(vec![tag]);
        // Neither language is written right to left, so the Unicode
        // isolation marks Fluent puts around placeholders by default are
        // left out of the text.
        bundle.set_use_isolating(false);
        bundle.set_formatter(Some(group_thousands));
        if let Err(errors) = bundle.add_resource(resource) {
            tracing::error!(
                language = language.tag(),
                ?errors,
                "duplicate messages in the embedded translation file"
            );
        }
        let plain = Self::format_plain(&bundle, source);
        Self { bundle, plain }
    }

    /// Formats every message that needs no value.
    fn format_plain(
        bundle: &FluentBundle<FluentResource>,
        source: &str,
    ) -> HashMap<String, String> {
        let mut plain = HashMap::new();
        for id in message_ids(source) {
            let Some(pattern) = bundle.get_message(id).and_then(|message| message.value()) else {
                continue;
            };
            let mut errors = Vec::new();
            let value = bundle.format_pattern(pattern, None, &mut errors);
            if errors.is_empty() {
                plain.insert(id.to_string(), value.into_owned());
            }
        }
        plain
    }
}

/// Returns the id of each message in a Fluent source: the text before
/// ` =` on lines that start with a letter.
fn message_ids(source: &str) -> impl Iterator<Item = &str> {
    source.lines().filter_map(|line| {
        if !line.starts_with(|first: char| first.is_ascii_alphabetic()) {
            return None;
        }
        line.split_once('=').map(|(id, _)| id.trim())
    })
}

fn catalogs() -> &'static [Catalog; 2] {
    static CATALOGS: OnceLock<[Catalog; 2]> = OnceLock::new();
    CATALOGS.get_or_init(|| SOURCES.map(|(language, source)| Catalog::load(language, source)))
}

/// Returns the message `id`, which has no placeholders, in the current
/// language.
pub fn text(id: &'static str) -> &'static str {
    let language = current();
    let [english, _] = catalogs();
    if let Some(value) = catalogs()[index(language)].plain.get(id) {
        return value;
    }
    if let Some(value) = english.plain.get(id) {
        report_once(language, id, "message missing, showing the English text");
        return value;
    }
    report_once(language, id, "message missing in English, showing its id");
    id
}

/// Formats the message `id` with the named values in the current
/// language.
pub fn fill(id: &'static str, values: &[(&str, FluentValue<'_>)]) -> String {
    fill_in(current(), id, values)
}

/// Formats the message `id` with the named values in `language`. Numbers
/// show with commas between thousands, so ids and years go in as strings.
pub fn fill_in(language: Language, id: &'static str, values: &[(&str, FluentValue<'_>)]) -> String {
    let mut args = FluentArgs::with_capacity(values.len());
    for (name, value) in values {
        args.set(*name, value.clone());
    }
    let [english, _] = catalogs();
    let catalog = &catalogs()[index(language)];
    let found = [catalog, english].into_iter().find_map(|catalog| {
        let pattern = catalog.bundle.get_message(id)?.value()?;
        Some((catalog, pattern))
    });
    let Some((catalog, pattern)) = found else {
        report_once(language, id, "message missing in English, showing its id");
        return id.to_string();
    };
    if !std::ptr::eq(catalog, &catalogs()[index(language)]) {
        report_once(language, id, "message missing, showing the English text");
    }
    let mut errors = Vec::new();
    let value = catalog
        .bundle
        .format_pattern(pattern, Some(&args), &mut errors);
    if !errors.is_empty() {
        report_once(
            language,
            id,
            &format!("message formatted with errors: {errors:?}"),
        );
    }
    value.into_owned()
}

/// Logs a problem with a message the first time it occurs, because views
/// format their labels on every redraw.
fn report_once(language: Language, id: &str, problem: &str) {
    static REPORTED: Mutex<Option<HashSet<(Language, String)>>> = Mutex::new(None);
    let Ok(mut reported) = REPORTED.lock() else {
        return;
    };
    if reported
        .get_or_insert_with(HashSet::new)
        .insert((language, id.to_string()))
    {
        tracing::error!(
            language = language.tag(),
            id,
            problem,
            "translation problem"
        );
    }
}

/// Formats whole numbers with commas between thousands, as in 100,000,
/// which Chinese uses too. Other values keep Fluent's formatting.
fn group_thousands<M>(value: &FluentValue, _memoizer: &M) -> Option<String> {
    let FluentValue::Number(number) = value else {
        return None;
    };
    let whole = number.value;
    if whole.fract() != 0.0
        || whole.abs() >= 1e15
        || number.options.minimum_fraction_digits.is_some()
    {
        return None;
    }
    let grouped = format::thousands(whole.abs() as u64);
    Some(if whole < 0.0 {
        format!("-{grouped}")
    } else {
        grouped
    })
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use fluent_syntax::ast::{Entry, Expression, InlineExpression, Pattern, PatternElement};

    use super::*;

    /// A message's placeholders: `$variables` and references to other
    /// messages.
    #[derive(Debug, Default, PartialEq, Eq)]
    struct Placeholders {
        variables: BTreeSet<String>,
        messages: BTreeSet<String>,
    }

    /// Parses a Fluent source into each message's placeholders, failing
    /// on any syntax error.
    fn messages(language: Language, source: &str) -> BTreeMap<String, Placeholders> {
        let resource = fluent_syntax::parser::parse(source).unwrap_or_else(|(_, errors)| {
            panic!("{} has syntax errors: {errors:?}", language.tag())
        });
        let mut messages = BTreeMap::new();
        for entry in resource.body {
            match entry {
                Entry::Message(message) => {
                    let id = message.id.name.to_string();
                    let pattern = message
                        .value
                        .unwrap_or_else(|| panic!("{id} in {} has no value", language.tag()));
                    let mut placeholders = Placeholders::default();
                    collect_pattern(&pattern, &mut placeholders);
                    let previous = messages.insert(id.clone(), placeholders);
                    assert!(
                        previous.is_none(),
                        "{id} appears twice in {}",
                        language.tag()
                    );
                }
                Entry::Term(term) => {
                    panic!(
                        "{} defines term -{}, which the app never formats",
                        language.tag(),
                        term.id.name
                    )
                }
                Entry::Junk { content } => panic!("{} has junk: {content}", language.tag()),
                Entry::Comment(_) | Entry::GroupComment(_) | Entry::ResourceComment(_) => {}
            }
        }
        messages
    }

    fn collect_pattern(pattern: &Pattern<&str>, placeholders: &mut Placeholders) {
        for element in &pattern.elements {
            if let PatternElement::Placeable { expression } = element {
                collect_expression(expression, placeholders);
            }
        }
    }

    fn collect_expression(expression: &Expression<&str>, placeholders: &mut Placeholders) {
        match expression {
            Expression::Select { selector, variants } => {
                collect_inline(selector, placeholders);
                for variant in variants {
                    collect_pattern(&variant.value, placeholders);
                }
            }
            Expression::Inline(inline) => collect_inline(inline, placeholders),
        }
    }

    fn collect_inline(inline: &InlineExpression<&str>, placeholders: &mut Placeholders) {
        match inline {
            InlineExpression::VariableReference { id } => {
                placeholders.variables.insert(id.name.to_string());
            }
            InlineExpression::MessageReference { id, .. } => {
                placeholders.messages.insert(id.name.to_string());
            }
            InlineExpression::FunctionReference { arguments, .. } => {
                for argument in &arguments.positional {
                    collect_inline(argument, placeholders);
                }
            }
            InlineExpression::Placeable { expression } => {
                collect_expression(expression, placeholders)
            }
            InlineExpression::StringLiteral { .. }
            | InlineExpression::NumberLiteral { .. }
            | InlineExpression::TermReference { .. } => {}
        }
    }

    #[test]
    fn languages_have_same_messages() {
        let [(english, english_source), (chinese, chinese_source)] = SOURCES;
        let english_messages = messages(english, english_source);
        let chinese_messages = messages(chinese, chinese_source);
        let english_ids: BTreeSet<&String> = english_messages.keys().collect();
        let chinese_ids: BTreeSet<&String> = chinese_messages.keys().collect();
        let only_english: Vec<_> = english_ids.difference(&chinese_ids).collect();
        let only_chinese: Vec<_> = chinese_ids.difference(&english_ids).collect();
        assert!(
            only_english.is_empty(),
            "missing in zh-CN.ftl: {only_english:?}"
        );
        assert!(
            only_chinese.is_empty(),
            "missing in en.ftl: {only_chinese:?}"
        );
    }

    #[test]
    fn languages_have_same_placeholders() {
        let [(english, english_source), (chinese, chinese_source)] = SOURCES;
        let english_messages = messages(english, english_source);
        let chinese_messages = messages(chinese, chinese_source);
        let mut differing = Vec::new();
        for (id, english_placeholders) in &english_messages {
            if let Some(chinese_placeholders) = chinese_messages.get(id)
                && chinese_placeholders != english_placeholders
            {
                differing.push(format!(
                    "{id}: en {english_placeholders:?}, zh-CN {chinese_placeholders:?}"
                ));
            }
        }
        assert!(
            differing.is_empty(),
            "placeholders differ:\n{}",
            differing.join("\n")
        );
    }

    #[test]
    fn message_references_exist() {
        for (language, source) in SOURCES {
            let messages = messages(language, source);
            for (id, placeholders) in &messages {
                for reference in &placeholders.messages {
                    assert!(
                        messages.contains_key(reference),
                        "{id} in {} refers to missing message {reference}",
                        language.tag()
                    );
                }
            }
        }
    }

    /// Returns the message ids the label functions name: string literals
    /// passed to `text`, `fill` or `fill_in`, and literals made of lowercase
    /// words joined by `-`, as in the tables of ids, except match patterns.
    fn ids_in_code() -> BTreeSet<String> {
        let sources = [
            include_str!("../labels.rs"),
            include_str!("report_widgets.rs"),
            include_str!("saved_views.rs"),
            include_str!("settings.rs"),
            include_str!("todo.rs"),
        ];
        let mut ids = BTreeSet::new();
        for source in sources {
            // The unit tests at the end name widget ids and other values.
            let mut rest = source.split("#[cfg(test)]").next().unwrap_or(source);
            while let Some(start) = rest.find('"') {
                let before = rest[..start].trim_end();
                let after = &rest[start + 1..];
                let Some(end) = after.find('"') else { break };
                let literal = &after[..end];
                rest = &after[end + 1..];
                // A literal before `=>` is a match pattern, such as a kind
                // of history event, not a message id.
                let is_pattern = rest.trim_start().starts_with("=>");
                let is_id_shape = !literal.is_empty()
                    && literal
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
                let is_argument = before.ends_with("text(")
                    || before.ends_with("fill(")
                    || before.ends_with("Language::English,");
                if is_id_shape && (is_argument || (literal.contains('-') && !is_pattern)) {
                    ids.insert(literal.to_string());
                }
            }
        }
        ids
    }

    #[test]
    fn code_uses_existing_messages() {
        let english = messages(Language::English, SOURCES[0].1);
        let used = ids_in_code();
        let missing: Vec<&String> = used
            .iter()
            .filter(|id| !english.contains_key(*id))
            .collect();
        assert!(
            missing.is_empty(),
            "ids used in code but missing in en.ftl: {missing:?}"
        );
    }

    #[test]
    fn every_message_is_used() {
        let english = messages(Language::English, SOURCES[0].1);
        let mut used = ids_in_code();
        for placeholders in english.values() {
            used.extend(placeholders.messages.iter().cloned());
        }
        let unused: Vec<&String> = english.keys().filter(|id| !used.contains(*id)).collect();
        assert!(unused.is_empty(), "messages no label formats: {unused:?}");
    }

    #[test]
    fn bundles_load_without_errors() {
        for (language, source) in SOURCES {
            let resource = FluentResource::try_new(source.to_string())
                .unwrap_or_else(|(_, errors)| panic!("{}: {errors:?}", language.tag()));
            let mut bundle = FluentBundle::new_concurrent(vec![language.tag().parse().unwrap()]);
            let added = bundle.add_resource(resource);
            assert!(added.is_ok(), "{}: {added:?}", language.tag());
        }
    }

    #[test]
    fn numbers_group_thousands() {
        let count = |value: u64| {
            fill_in(
                Language::English,
                "todo-matching",
                &[("count", value.into())],
            )
        };
        assert_eq!(count(1), "1 unfinished ticket");
        assert_eq!(count(999), "999 unfinished tickets");
        assert_eq!(count(1_000), "1,000 unfinished tickets");
        assert_eq!(count(1_234_567), "1,234,567 unfinished tickets");
        let chinese = fill_in(
            Language::SimplifiedChinese,
            "todo-matching",
            &[("count", 100_000u64.into())],
        );
        assert_eq!(chinese, "100,000 个未完成工单");
    }

    #[test]
    fn plurals_follow_each_language() {
        let summary = |language, conversations: usize, tickets: usize| {
            fill_in(
                language,
                "summary",
                &[
                    ("conversations", conversations.into()),
                    ("unanswered", 1usize.into()),
                    ("tickets", tickets.into()),
                ],
            )
        };
        assert_eq!(
            summary(Language::English, 1, 3),
            "1 conversation, 1 unanswered, 3 tickets"
        );
        assert_eq!(
            summary(Language::English, 4, 1),
            "4 conversations, 1 unanswered, 1 ticket"
        );
        assert_eq!(
            summary(Language::SimplifiedChinese, 1, 3),
            "1 个会话，1 个待回复，3 个工单"
        );
    }

    #[test]
    fn placeholders_have_no_isolation_marks() {
        let line = fill_in(
            Language::SimplifiedChinese,
            "plugin-loaded",
            &[("id", "email".into())],
        );
        assert_eq!(line, "已加载插件 email。");
    }

    #[test]
    fn message_references_resolve() {
        let english = fill_in(
            Language::English,
            "read-failed",
            &[("error", "disk I/O error".into())],
        );
        assert_eq!(
            english,
            "Could not read the database: disk I/O error. Press Refresh to try again."
        );
        let chinese = fill_in(
            Language::SimplifiedChinese,
            "read-failed",
            &[("error", "disk I/O error".into())],
        );
        assert_eq!(
            chinese,
            "无法读取数据库：disk I/O error。请点击“刷新”重试。"
        );
    }

    #[test]
    fn missing_message_shows_id() {
        assert_eq!(
            fill_in(Language::SimplifiedChinese, "no-such-message", &[]),
            "no-such-message"
        );
    }

    #[test]
    fn every_plain_message_is_cached() {
        for (index, (language, source)) in SOURCES.into_iter().enumerate() {
            let catalog = &catalogs()[index];
            let messages = messages(language, source);
            for id in message_ids(source) {
                let needs_values = !messages[id].variables.is_empty();
                assert_eq!(
                    catalog.plain.contains_key(id),
                    !needs_values,
                    "{id} in {}",
                    language.tag()
                );
            }
        }
    }
}
