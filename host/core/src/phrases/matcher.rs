//! Ranking phrases for a customer's message.
//!
//! A phrase scores [`KEYWORD_WEIGHT`] for each of its keywords the message
//! contains, compared case-insensitively. A keyword with a CJK character
//! matches as a substring, because Chinese text has no spaces between
//! words. Any other keyword matches whole words only, so `order` does not
//! match `border`. On top of that come two overlap ratios between 0 and 1:
//! the share of the message's Chinese character bigrams found in the
//! phrase's title and body, and the share of its English content words
//! found there. Ties go to the phrase used more often, then to the smaller id.

use std::collections::HashSet;

use serde::Serialize;

use super::Phrase;
use super::render::without_placeholders;

/// Score of one keyword hit. It outweighs both overlap ratios together, so
/// a phrase whose keyword the customer used ranks above one that only
/// shares words with the message.
pub const KEYWORD_WEIGHT: f64 = 3.0;

/// Minimum score of a suggestion. A phrase that shares only one word or
/// bigram with a long message scores below it and is left out.
///
/// NOTE: chosen by hand on the sample messages in `tests/fixtures/phrases`,
/// not tuned on real traffic.
pub const MIN_SCORE: f64 = 0.25;

/// English words too common to say what a message is about.
const STOP_WORDS: &[&str] = &[
    "a", "about", "all", "am", "an", "and", "any", "are", "as", "at", "be", "been", "but", "by",
    "can", "could", "did", "do", "does", "for", "from", "get", "got", "had", "has", "have", "he",
    "her", "hi", "him", "his", "how", "i", "if", "im", "in", "is", "it", "its", "just", "me", "my",
    "no", "not", "of", "on", "or", "our", "please", "she", "so", "that", "the", "their", "them",
    "there", "they", "this", "to", "us", "was", "we", "were", "what", "when", "which", "who",
    "why", "will", "with", "would", "you", "your",
];

/// A phrase ranked for a message.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestion {
    pub id: String,
    pub title: String,
    pub score: f64,
    /// The phrase's keywords the message contains, as the phrase spells them.
    pub matched_keywords: Vec<String>,
    pub usage_count: u64,
}

/// Ranks `phrases` for the customer's message `text` and returns at most
/// `limit` of them, best first. Phrases scoring below [`MIN_SCORE`] are
/// left out.
pub fn suggest(phrases: &[Phrase], text: &str, limit: usize) -> Vec<Suggestion> {
    let message = Features::of(text);
    let mut suggestions: Vec<Suggestion> = phrases
        .iter()
        .filter_map(|phrase| score(phrase, &message))
        .collect();
    suggestions.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(b.usage_count.cmp(&a.usage_count))
            .then_with(|| a.id.cmp(&b.id))
    });
    suggestions.truncate(limit);
    suggestions
}

fn score(phrase: &Phrase, message: &Features) -> Option<Suggestion> {
    let matched_keywords: Vec<String> = phrase
        .keywords
        .iter()
        .filter(|keyword| message.contains_keyword(keyword))
        .cloned()
        .collect();

    let phrase_text = format!("{} {}", phrase.title, without_placeholders(&phrase.body));
    let phrase_features = Features::of(&phrase_text);
    let bigram_overlap = overlap(&message.bigrams, &phrase_features.bigrams);
    let word_overlap = overlap(&message.content_words, &phrase_features.content_words);

    let score = KEYWORD_WEIGHT * matched_keywords.len() as f64 + bigram_overlap + word_overlap;
    if score < MIN_SCORE {
        return None;
    }
    Some(Suggestion {
        id: phrase.id.clone(),
        title: phrase.title.clone(),
        score,
        matched_keywords,
        usage_count: phrase.usage_count,
    })
}

/// Share of the message's items that the phrase contains too, from 0 to 1.
fn overlap(message: &HashSet<String>, phrase: &HashSet<String>) -> f64 {
    if message.is_empty() {
        return 0.0;
    }
    let shared = message.intersection(phrase).count();
    shared as f64 / message.len() as f64
}

/// Features of one text that the matcher compares.
struct Features {
    /// The text lowercased, for CJK keywords.
    lowercase: String,
    /// Every word, lowercased and folded by [`fold_word`], in order.
    words: Vec<String>,
    /// Words that are not [`STOP_WORDS`].
    content_words: HashSet<String>,
    /// Pairs of adjacent CJK characters.
    bigrams: HashSet<String>,
}

impl Features {
    fn of(text: &str) -> Self {
        let lowercase = text.to_lowercase();
        let words = words(&lowercase);
        let content_words = words
            .iter()
            .filter(|word| !STOP_WORDS.contains(&word.as_str()))
            .cloned()
            .collect();
        let bigrams = cjk_bigrams(&lowercase);
        Self {
            lowercase,
            words,
            content_words,
            bigrams,
        }
    }

    fn contains_keyword(&self, keyword: &str) -> bool {
        let keyword = keyword.to_lowercase();
        if keyword.chars().any(is_cjk) {
            return self.lowercase.contains(&keyword);
        }
        let keyword_words = words(&keyword);
        !keyword_words.is_empty()
            && self
                .words
                .windows(keyword_words.len())
                .any(|window| window == keyword_words.as_slice())
    }
}

/// Splits lowercased text into words: runs of letters and digits that are
/// not CJK, with apostrophes dropped so "won't" and "wont" are one word.
fn words(lowercase: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    for c in lowercase.chars() {
        if c.is_alphanumeric() && !is_cjk(c) {
            current.push(c);
        } else if (c == '\'' || c == '’') && !current.is_empty() {
            continue;
        } else if !current.is_empty() {
            words.push(fold_word(&current));
            current.clear();
        }
    }
    if !current.is_empty() {
        words.push(fold_word(&current));
    }
    words
}

/// Folds a plural onto its singular by dropping a final "s" from words of
/// four letters or more, so "refunds" matches the keyword "refund".
///
/// NOTE: this is a crude fold, not a stemmer: it also shortens words such
/// as "status". The same fold applies to messages, phrases and keywords, so
/// those still match each other.
fn fold_word(word: &str) -> String {
    if word.chars().count() >= 4 && word.ends_with('s') && !word.ends_with("ss") {
        word[..word.len() - 1].to_string()
    } else {
        word.to_string()
    }
}

fn cjk_bigrams(text: &str) -> HashSet<String> {
    let mut bigrams = HashSet::new();
    let mut previous: Option<char> = None;
    for c in text.chars() {
        if is_cjk(c) {
            if let Some(first) = previous {
                bigrams.insert([first, c].iter().collect());
            }
            previous = Some(c);
        } else {
            previous = None;
        }
    }
    bigrams
}

/// True for CJK ideographs, kana and Hangul syllables, the scripts written
/// without spaces between words.
fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{3040}'..='\u{30ff}'     // Hiragana, Katakana
        | '\u{3400}'..='\u{4dbf}'   // CJK Extension A
        | '\u{4e00}'..='\u{9fff}'   // CJK Unified Ideographs
        | '\u{ac00}'..='\u{d7af}'   // Hangul syllables
        | '\u{f900}'..='\u{faff}'   // CJK Compatibility Ideographs
        | '\u{20000}'..='\u{2ffff}' // CJK Extensions B to F
    )
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;

    fn phrase(id: &str, title: &str, body: &str, keywords: &[&str], usage_count: u64) -> Phrase {
        Phrase {
            id: id.to_string(),
            category: "general".to_string(),
            title: title.to_string(),
            body: body.to_string(),
            keywords: keywords.iter().map(|keyword| keyword.to_string()).collect(),
            usage_count,
            last_used_at: None,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    fn library() -> Vec<Phrase> {
        vec![
            phrase(
                "shipping-delay",
                "物流延误 Shipping delay",
                "{{customer.name}}您好，您的包裹因物流高峰延误，预计三天内送达。",
                &[
                    "没到",
                    "物流",
                    "快递",
                    "delivery",
                    "late",
                    "where is my order",
                ],
                3,
            ),
            phrase(
                "refund-policy",
                "退款政策 Refund policy",
                "您好，签收后七天内可申请无理由退款，退款三到五个工作日原路退回。",
                &["退款", "退货", "refund", "money back"],
                10,
            ),
            phrase(
                "password-reset",
                "重置密码 Password reset",
                "Please open the login page and choose Forgot password to reset it.",
                &["密码", "password", "log in", "login"],
                0,
            ),
            phrase(
                "app-trouble",
                "App 无法打开 App does not open",
                "Sorry the app will not open. Please update the app and restart your phone.",
                &["app", "crash"],
                0,
            ),
        ]
    }

    fn ids(suggestions: &[Suggestion]) -> Vec<&str> {
        suggestions.iter().map(|s| s.id.as_str()).collect()
    }

    #[test]
    fn chinese_keyword_matches_inside_sentence() {
        let suggestions = suggest(&library(), "你好，我的订单还没到，能帮我查一下物流吗？", 3);
        assert_eq!(suggestions[0].id, "shipping-delay");
        assert_eq!(suggestions[0].matched_keywords, vec!["没到", "物流"]);
        assert!(suggestions[0].score >= 2.0 * KEYWORD_WEIGHT);
    }

    #[test]
    fn chinese_bigrams_rank_without_keywords() {
        // No keyword of any phrase occurs; "工作日" and "七天" occur only in
        // the refund reply's body.
        let suggestions = suggest(&library(), "请问七天内几个工作日能处理？", 3);
        assert_eq!(suggestions[0].id, "refund-policy");
        assert!(suggestions[0].matched_keywords.is_empty());
        assert!(suggestions[0].score > 0.0);
    }

    #[test]
    fn english_keywords_match_whole_words() {
        let suggestions = suggest(&library(), "@115725 fix your app it won't even open", 3);
        assert_eq!(suggestions[0].id, "app-trouble");
        assert_eq!(suggestions[0].matched_keywords, vec!["app"]);

        let none = suggest(&library(), "the happy apple was applied", 3);
        assert!(
            none.iter().all(|s| s.id != "app-trouble"),
            "{:?}",
            ids(&none)
        );
    }

    #[test]
    fn english_keywords_ignore_case_and_plurals() {
        let suggestions = suggest(&library(), "I want my MONEY BACK, two refunds!", 3);
        assert_eq!(suggestions[0].id, "refund-policy");
        assert_eq!(
            suggestions[0].matched_keywords,
            vec!["refund", "money back"]
        );
    }

    #[test]
    fn multi_word_keyword_needs_adjacent_words() {
        let suggestions = suggest(&library(), "I cannot log in since yesterday", 3);
        assert_eq!(suggestions[0].id, "password-reset");
        assert_eq!(suggestions[0].matched_keywords, vec!["log in"]);
        let apart = suggest(&library(), "log the time I sat in line", 3);
        assert!(
            apart.iter().all(|s| s.id != "password-reset"),
            "{:?}",
            ids(&apart)
        );
    }

    #[test]
    fn english_word_overlap_ranks_without_keywords() {
        let suggestions = suggest(&library(), "should I restart my phone?", 3);
        assert_eq!(suggestions[0].id, "app-trouble");
        assert!(suggestions[0].matched_keywords.is_empty());
    }

    #[test]
    fn ties_go_to_more_used_phrase() {
        let phrases = vec![
            phrase("closing-a", "Closing", "Bye", &["thanks"], 1),
            phrase("closing-b", "Closing", "Bye", &["thanks"], 7),
            phrase("closing-c", "Closing", "Bye", &["thanks"], 1),
        ];
        let suggestions = suggest(&phrases, "thanks", 3);
        assert_eq!(
            ids(&suggestions),
            vec!["closing-b", "closing-a", "closing-c"]
        );
    }

    #[test]
    fn unrelated_message_suggests_nothing() {
        assert!(suggest(&library(), "¿Dónde está la biblioteca?", 3).is_empty());
        assert!(suggest(&library(), "", 3).is_empty());
    }

    #[test]
    fn weak_overlap_is_left_out() {
        // One of five content words ("open") occurs in the app reply: 0.2.
        let suggestions = suggest(
            &library(),
            "open the garage door for the neighbours today",
            3,
        );
        assert!(suggestions.is_empty(), "{:?}", ids(&suggestions));
    }

    #[test]
    fn limit_caps_results() {
        let suggestions = suggest(&library(), "退款 物流 密码 app", 2);
        assert_eq!(suggestions.len(), 2);
    }

    #[test]
    fn placeholder_names_do_not_match() {
        let suggestions = suggest(&library(), "customer name", 3);
        assert!(suggestions.is_empty(), "{:?}", ids(&suggestions));
    }
}
