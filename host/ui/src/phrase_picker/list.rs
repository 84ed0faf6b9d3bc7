//! The picker's list: every phrase with the suggested ones first, and the
//! search and category filter over it.

use std::collections::HashSet;

use kefu_core::phrases::{Phrase, Suggestion};

/// The reason a phrase is suggested for the conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Suggested {
    /// A rule suggested it on the conversation's ticket.
    ByRule,
    /// The matcher ranked it for the customer's latest message.
    ByMessage {
        /// The phrase's keywords the message contains.
        matched_keywords: Vec<String>,
    },
}

/// A phrase in the picker's list.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub phrase: Phrase,
    /// The reason the phrase is suggested, or `None` when it is not.
    pub suggested: Option<Suggested>,
}

/// Orders the library for one conversation: the phrases rules suggested,
/// latest suggestion first, then the matcher's suggestions, best first,
/// then every other phrase in the order of `phrases`. A phrase is listed
/// once, under its first reason. Suggested ids that name no phrase in
/// `phrases` are skipped, because the phrase may have been removed since.
pub fn entries(phrases: Vec<Phrase>, rule_ids: &[String], matched: &[Suggestion]) -> Vec<Entry> {
    let mut listed: HashSet<String> = HashSet::new();
    let mut suggested: Vec<(String, Suggested)> = Vec::new();
    for id in rule_ids {
        if listed.insert(id.clone()) {
            suggested.push((id.clone(), Suggested::ByRule));
        }
    }
    for suggestion in matched {
        if listed.insert(suggestion.id.clone()) {
            let reason = Suggested::ByMessage {
                matched_keywords: suggestion.matched_keywords.clone(),
            };
            suggested.push((suggestion.id.clone(), reason));
        }
    }

    let mut rest = Vec::with_capacity(phrases.len());
    let mut by_id = std::collections::HashMap::new();
    for phrase in phrases {
        if listed.contains(&phrase.id) {
            by_id.insert(phrase.id.clone(), phrase);
        } else {
            rest.push(Entry {
                phrase,
                suggested: None,
            });
        }
    }
    let mut entries: Vec<Entry> = suggested
        .into_iter()
        .filter_map(|(id, reason)| {
            let phrase = by_id.remove(&id)?;
            Some(Entry {
                phrase,
                suggested: Some(reason),
            })
        })
        .collect();
    entries.extend(rest);
    entries
}

/// True when every space-separated term of `query` occurs in the phrase's
/// title, body, category or one of its keywords, ignoring case. Terms are
/// matched as substrings, so a Chinese term finds the phrases that contain
/// it without spaces around it. An empty query matches every phrase.
pub fn matches(phrase: &Phrase, query: &str) -> bool {
    let fields: Vec<String> = [&phrase.title, &phrase.body, &phrase.category]
        .into_iter()
        .chain(&phrase.keywords)
        .map(|field| field.to_lowercase())
        .collect();
    query
        .to_lowercase()
        .split_whitespace()
        .all(|term| fields.iter().any(|field| field.contains(term)))
}

/// Returns the entries in `category`, or in every category when it is
/// `None`, that match `query`, in list order.
pub fn visible<'a>(entries: &'a [Entry], query: &str, category: Option<&str>) -> Vec<&'a Entry> {
    entries
        .iter()
        .filter(|entry| category.is_none_or(|category| entry.phrase.category == category))
        .filter(|entry| matches(&entry.phrase, query))
        .collect()
}

/// Returns the categories of the entries, sorted, each once.
pub fn categories(entries: &[Entry]) -> Vec<String> {
    let mut categories: Vec<String> = entries
        .iter()
        .map(|entry| entry.phrase.category.clone())
        .collect();
    categories.sort();
    categories.dedup();
    categories
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;

    fn phrase(id: &str, category: &str, title: &str, body: &str, keywords: &[&str]) -> Phrase {
        Phrase {
            id: id.to_string(),
            category: category.to_string(),
            title: title.to_string(),
            body: body.to_string(),
            keywords: keywords.iter().map(|keyword| keyword.to_string()).collect(),
            usage_count: 0,
            last_used_at: None,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    /// Three phrases in the library's order: category, then title.
    fn library() -> Vec<Phrase> {
        vec![
            phrase(
                "refund-policy",
                "after-sales",
                "退款政策 Refund policy",
                "{{customer.name}}您好，签收后七天内可申请退款。",
                &["退款", "refund"],
            ),
            phrase(
                "greeting",
                "general",
                "问候 Greeting",
                "您好，我是{{agent.name}}，很高兴为您服务。",
                &[],
            ),
            phrase(
                "shipping-delay",
                "logistics",
                "物流延误 Shipping delay",
                "Your parcel is delayed by the carrier.",
                &["物流", "late"],
            ),
        ]
    }

    fn suggestion(id: &str, keywords: &[&str]) -> Suggestion {
        Suggestion {
            id: id.to_string(),
            title: String::new(),
            score: 3.0,
            matched_keywords: keywords.iter().map(|keyword| keyword.to_string()).collect(),
            usage_count: 0,
        }
    }

    fn ids<'a>(entries: impl IntoIterator<Item = &'a Entry>) -> Vec<&'a str> {
        entries
            .into_iter()
            .map(|entry| entry.phrase.id.as_str())
            .collect()
    }

    #[test]
    fn rule_then_matcher_then_library_order() {
        let rules = vec!["greeting".to_string()];
        let matched = vec![suggestion("shipping-delay", &["物流"])];
        let entries = entries(library(), &rules, &matched);
        assert_eq!(
            ids(&entries),
            vec!["greeting", "shipping-delay", "refund-policy"]
        );
        assert_eq!(entries[0].suggested, Some(Suggested::ByRule));
        assert_eq!(
            entries[1].suggested,
            Some(Suggested::ByMessage {
                matched_keywords: vec!["物流".to_string()]
            })
        );
        assert_eq!(entries[2].suggested, None);
    }

    #[test]
    fn phrase_suggested_twice_is_listed_once() {
        let rules = vec!["refund-policy".to_string(), "refund-policy".to_string()];
        let matched = vec![suggestion("refund-policy", &["退款"])];
        let entries = entries(library(), &rules, &matched);
        assert_eq!(entries.len(), 3);
        assert_eq!(ids(&entries)[0], "refund-policy");
        assert_eq!(entries[0].suggested, Some(Suggested::ByRule));
    }

    #[test]
    fn removed_phrase_suggestion_is_skipped() {
        let rules = vec!["no-such-phrase".to_string()];
        let entries = entries(library(), &rules, &[]);
        assert_eq!(
            ids(&entries),
            vec!["refund-policy", "greeting", "shipping-delay"]
        );
        assert!(entries.iter().all(|entry| entry.suggested.is_none()));
    }

    #[test]
    fn search_matches_each_field() {
        let library = library();
        let cases = [
            ("refund policy", "refund-policy"),
            ("退款", "refund-policy"),
            ("七天", "refund-policy"),
            ("LOGISTICS", "shipping-delay"),
            ("late", "shipping-delay"),
            ("carrier", "shipping-delay"),
            ("很高兴", "greeting"),
        ];
        for (query, expected) in cases {
            let found: Vec<&str> = library
                .iter()
                .filter(|phrase| matches(phrase, query))
                .map(|phrase| phrase.id.as_str())
                .collect();
            assert_eq!(found, vec![expected], "query {query:?}");
        }
    }

    #[test]
    fn search_needs_every_term() {
        let library = library();
        assert!(matches(&library[2], "物流 delayed"));
        assert!(!matches(&library[2], "物流 退款"));
        assert!(matches(&library[0], "   "));
    }

    #[test]
    fn category_and_search_combine() {
        let entries = entries(library(), &[], &[]);
        assert_eq!(
            ids(visible(&entries, "", Some("logistics"))),
            vec!["shipping-delay"]
        );
        assert_eq!(
            ids(visible(&entries, "您好", Some("general"))),
            vec!["greeting"]
        );
        assert!(visible(&entries, "carrier", Some("general")).is_empty());
        assert_eq!(visible(&entries, "", None).len(), 3);
    }

    #[test]
    fn categories_are_sorted_once() {
        let mut library = library();
        library.push(phrase("closing", "general", "Closing", "Bye", &[]));
        let entries = entries(library, &[], &[]);
        assert_eq!(
            categories(&entries),
            vec!["after-sales", "general", "logistics"]
        );
    }
}
