//! The phrase library: canned replies an agent inserts or a rule suggests.
//!
//! A phrase has an id (the name rules use in `suggest-phrase` and
//! `send-phrase`), a category, a title, a body with placeholders such as
//! `{{customer.name}}`, and keywords that make it a suggestion for a
//! customer's message. [`render`] fills the placeholders, [`suggest`] ranks
//! phrases for a message, and [`import`] reads TOML and CSV files of them.
//! The store's phrase methods live in `store/phrases.rs`.

pub mod import;
pub mod matcher;
pub mod render;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use import::{ImportSummary, UpsertOutcome};
pub use matcher::{Suggestion, suggest};
pub use render::{PLACEHOLDERS, RenderContext, Rendered, Unfilled, render, unfilled};

/// Maximum length of a phrase id, in characters.
pub const MAX_ID_CHARS: usize = 64;

/// Maximum length of a category, in characters.
pub const MAX_CATEGORY_CHARS: usize = 64;

/// Maximum length of a title, in characters.
pub const MAX_TITLE_CHARS: usize = 200;

/// Maximum length of a body, in characters.
pub const MAX_BODY_CHARS: usize = 10_000;

/// Maximum number of keywords of one phrase.
pub const MAX_KEYWORDS: usize = 50;

/// Maximum length of one keyword, in characters.
pub const MAX_KEYWORD_CHARS: usize = 100;

/// A stored phrase.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Phrase {
    pub id: String,
    pub category: String,
    pub title: String,
    pub body: String,
    pub keywords: Vec<String>,
    /// Times an agent used the phrase in a reply.
    pub usage_count: u64,
    pub last_used_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The fields of a phrase an agent or an import file sets.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PhraseDraft {
    pub id: String,
    pub category: String,
    pub title: String,
    pub body: String,
    #[serde(default)]
    pub keywords: Vec<String>,
}

/// A field of a phrase that failed validation, with the reason and the fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("field {field}: {message}")]
pub struct FieldError {
    /// Name of the field: `id`, `category`, `title`, `body` or `keywords`.
    pub field: &'static str,
    pub message: String,
}

impl FieldError {
    fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
        }
    }
}

impl PhraseDraft {
    /// Returns the draft with surrounding whitespace trimmed from the id,
    /// category, title and keywords, the id lowercased and empty keywords
    /// dropped. The body keeps its whitespace apart from trailing line breaks.
    pub fn normalized(&self) -> Self {
        Self {
            id: self.id.trim().to_lowercase(),
            category: self.category.trim().to_string(),
            title: self.title.trim().to_string(),
            body: self.body.trim_end_matches(['\n', '\r']).to_string(),
            keywords: self
                .keywords
                .iter()
                .map(|keyword| keyword.trim().to_string())
                .filter(|keyword| !keyword.is_empty())
                .collect(),
        }
    }

    /// Checks every field: the id is a slug, the texts are non-empty, within
    /// their limits and free of control characters, and the body uses only
    /// known placeholders. Call it on a [`PhraseDraft::normalized`] draft.
    pub fn validate(&self) -> Result<(), FieldError> {
        validate_id(&self.id)?;
        check_line("category", &self.category, MAX_CATEGORY_CHARS)?;
        check_line("title", &self.title, MAX_TITLE_CHARS)?;
        check_body(&self.body)?;
        check_keywords(&self.keywords)
    }
}

/// Checks that `id` is a phrase id: 1 to [`MAX_ID_CHARS`] lowercase ASCII
/// letters, digits, `-` or `_`, starting with a letter or digit.
pub fn validate_id(id: &str) -> Result<(), FieldError> {
    let valid_chars = id
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    let valid_start = id
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    if id.chars().count() > MAX_ID_CHARS || !valid_chars || !valid_start {
        return Err(FieldError::new(
            "id",
            format!(
                "invalid phrase id {id:?}; write 1 to {MAX_ID_CHARS} lowercase letters, digits, \
                 '-' or '_', starting with a letter or digit, for example refund-policy"
            ),
        ));
    }
    Ok(())
}

fn check_line(field: &'static str, value: &str, max_chars: usize) -> Result<(), FieldError> {
    if value.is_empty() {
        return Err(FieldError::new(
            field,
            format!("the {field} is empty; write a short {field}"),
        ));
    }
    if value.chars().count() > max_chars {
        return Err(FieldError::new(
            field,
            format!("the {field} is longer than {max_chars} characters; shorten it"),
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(FieldError::new(
            field,
            format!("the {field} {value:?} contains a control character or line break; remove it"),
        ));
    }
    Ok(())
}

fn check_body(body: &str) -> Result<(), FieldError> {
    if body.trim().is_empty() {
        return Err(FieldError::new(
            "body",
            "the body is empty; write the reply text",
        ));
    }
    if body.chars().count() > MAX_BODY_CHARS {
        return Err(FieldError::new(
            "body",
            format!("the body is longer than {MAX_BODY_CHARS} characters; shorten it"),
        ));
    }
    // Line breaks and tabs are allowed because they lay out the body. Any
    // other control character could move the cursor of a terminal.
    if let Some(c) = body
        .chars()
        .find(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(FieldError::new(
            "body",
            format!(
                "the body contains the control character U+{:04X}; remove it",
                c as u32
            ),
        ));
    }
    render::check_placeholders(body).map_err(|message| FieldError::new("body", message))
}

fn check_keywords(keywords: &[String]) -> Result<(), FieldError> {
    if keywords.len() > MAX_KEYWORDS {
        return Err(FieldError::new(
            "keywords",
            format!(
                "{} keywords, more than the {MAX_KEYWORDS} allowed; keep the ones customers use",
                keywords.len()
            ),
        ));
    }
    for keyword in keywords {
        if keyword.chars().count() > MAX_KEYWORD_CHARS {
            return Err(FieldError::new(
                "keywords",
                format!("keyword {keyword:?} is longer than {MAX_KEYWORD_CHARS} characters"),
            ));
        }
        if keyword.chars().any(char::is_control) {
            return Err(FieldError::new(
                "keywords",
                format!("keyword {keyword:?} contains a control character; remove it"),
            ));
        }
        // CSV files separate keywords with ';', so a keyword containing one
        // could not be written back.
        if keyword.contains(';') {
            return Err(FieldError::new(
                "keywords",
                format!("keyword {keyword:?} contains ';'; split it into two keywords"),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(id: &str, body: &str) -> PhraseDraft {
        PhraseDraft {
            id: id.to_string(),
            category: "after-sales".to_string(),
            title: "退款政策 Refund policy".to_string(),
            body: body.to_string(),
            keywords: vec![" 退款 ".to_string(), String::new(), "refund".to_string()],
        }
    }

    #[test]
    fn normalized_trims_and_lowercases() {
        let draft = draft("  Refund-Policy ", "您好\n\n").normalized();
        assert_eq!(draft.id, "refund-policy");
        assert_eq!(draft.body, "您好");
        assert_eq!(draft.keywords, vec!["退款", "refund"]);
    }

    #[test]
    fn valid_draft_passes() {
        let draft = draft("refund-policy", "您好，{{customer.name}}。").normalized();
        assert_eq!(draft.validate(), Ok(()));
    }

    #[test]
    fn invalid_ids_are_rejected() {
        for id in [
            "",
            "-refund",
            "refund policy",
            "退款",
            "refund/policy",
            &"a".repeat(65),
        ] {
            let error = validate_id(id).unwrap_err();
            assert_eq!(error.field, "id", "{id:?}");
            assert!(error.message.contains("refund-policy"), "{error}");
        }
    }

    #[test]
    fn unknown_placeholder_names_it() {
        let error = draft("refund-policy", "您好 {{customer.nmae}}")
            .normalized()
            .validate()
            .unwrap_err();
        assert_eq!(error.field, "body");
        assert!(error.message.contains("{{customer.nmae}}"), "{error}");
        assert!(error.message.contains("{{customer.name}}"), "{error}");
    }

    #[test]
    fn escape_sequence_in_body_is_rejected() {
        let error = draft("refund-policy", "您好\u{1b}[2J")
            .validate()
            .unwrap_err();
        assert!(error.message.contains("U+001B"), "{error}");
    }

    #[test]
    fn semicolon_keyword_is_rejected() {
        let mut draft = draft("refund-policy", "您好").normalized();
        draft.keywords = vec!["退款;退货".to_string()];
        let error = draft.validate().unwrap_err();
        assert_eq!(error.field, "keywords");
    }

    #[test]
    fn empty_title_is_rejected() {
        let mut draft = draft("refund-policy", "您好").normalized();
        draft.title = String::new();
        let error = draft.validate().unwrap_err();
        assert_eq!(error.field, "title");
    }
}
