//! Storing, listing and importing phrases, and reading the values their
//! placeholders are filled with.

use std::path::Path;

use anyhow::Context;
use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::{Store, Writer, format_time, parse_time};
use crate::phrases::import::{self, ImportSummary, UpsertOutcome};
use crate::phrases::{Phrase, PhraseDraft, RenderContext, Suggestion};

/// Filters for [`Store::phrases`]. The default lists every phrase.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PhraseFilter {
    /// Only phrases in this category, compared exactly.
    pub category: Option<String>,
    /// Only phrases whose title, body or a keyword contains this text,
    /// compared case-insensitively.
    pub search: Option<String>,
}

const PHRASE_COLUMNS: &str =
    "id, category, title, body, keywords, usage_count, last_used_at, created_at, updated_at";

impl Writer<'_> {
    /// Returns a phrase, read inside this transaction.
    pub fn phrase(&self, id: &str) -> anyhow::Result<Option<Phrase>> {
        read_phrase(&self.tx, id).with_context(|| format!("reading phrase {id}"))
    }

    /// Returns the values for a ticket's placeholders, read inside this
    /// transaction; see [`Store::render_context`].
    pub fn render_context(
        &self,
        ticket_id: i64,
        agent_name: Option<&str>,
        today: Option<NaiveDate>,
    ) -> anyhow::Result<RenderContext> {
        read_render_context(&self.tx, ticket_id, agent_name, today)
    }

    /// Adds a phrase, or updates the phrase with the same id. The draft is
    /// normalized and validated first. A phrase whose fields all match is
    /// left as it is and reported [`UpsertOutcome::Unchanged`].
    pub fn upsert_phrase(
        &self,
        draft: &PhraseDraft,
        at: DateTime<Utc>,
    ) -> anyhow::Result<UpsertOutcome> {
        let draft = draft.normalized();
        draft.validate()?;
        let keywords = serde_json::to_string(&draft.keywords)?;
        let existing = read_phrase(&self.tx, &draft.id)?;
        let outcome = match existing {
            None => {
                self.tx.execute(
                    "INSERT INTO phrases (id, category, title, body, keywords, created_at, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
                    params![
                        draft.id,
                        draft.category,
                        draft.title,
                        draft.body,
                        keywords,
                        format_time(at)
                    ],
                )?;
                UpsertOutcome::Added
            }
            Some(phrase)
                if phrase.category == draft.category
                    && phrase.title == draft.title
                    && phrase.body == draft.body
                    && phrase.keywords == draft.keywords =>
            {
                UpsertOutcome::Unchanged
            }
            Some(_) => {
                self.tx.execute(
                    "UPDATE phrases SET category = ?2, title = ?3, body = ?4, keywords = ?5,
                            updated_at = ?6
                      WHERE id = ?1",
                    params![
                        draft.id,
                        draft.category,
                        draft.title,
                        draft.body,
                        keywords,
                        format_time(at)
                    ],
                )?;
                UpsertOutcome::Updated
            }
        };
        Ok(outcome)
    }

    /// Deletes a phrase. Returns false when no phrase has this id.
    pub fn delete_phrase(&self, id: &str) -> anyhow::Result<bool> {
        let deleted = self
            .tx
            .execute("DELETE FROM phrases WHERE id = ?1", params![id])?;
        Ok(deleted == 1)
    }

    /// True when a phrase with this id is stored.
    pub fn phrase_exists(&self, id: &str) -> anyhow::Result<bool> {
        Ok(self
            .tx
            .query_row("SELECT 1 FROM phrases WHERE id = ?1", params![id], |_| {
                Ok(())
            })
            .optional()?
            .is_some())
    }

    /// Counts one use of a phrase in a reply: adds one to its usage count and
    /// sets its last use to `at`. Fails when no phrase has this id, so the
    /// caller's transaction, with the reply it stores, rolls back.
    pub fn record_phrase_use(&self, id: &str, at: DateTime<Utc>) -> anyhow::Result<()> {
        let changed = self.tx.execute(
            "UPDATE phrases SET usage_count = usage_count + 1, last_used_at = ?2 WHERE id = ?1",
            params![id, format_time(at)],
        )?;
        anyhow::ensure!(
            changed == 1,
            "phrase {id:?} not found; `kefu phrases list` shows the known ones"
        );
        Ok(())
    }

    /// Stores validated import records in this transaction and counts what
    /// each did.
    pub fn import_phrases(
        &self,
        records: &[import::ImportRecord],
        at: DateTime<Utc>,
    ) -> anyhow::Result<ImportSummary> {
        let mut summary = ImportSummary::default();
        for record in records {
            let outcome = self.upsert_phrase(&record.draft, at).with_context(|| {
                format!(
                    "storing record {} (line {}), phrase {}",
                    record.record, record.line, record.draft.id
                )
            })?;
            summary.count(outcome);
        }
        Ok(summary)
    }
}

impl Store {
    /// Reads, validates and stores every phrase of a `.toml` or `.csv` file
    /// in one transaction, so an error anywhere stores nothing. A phrase
    /// whose id is stored already is updated.
    pub fn import_phrases(
        &mut self,
        path: &Path,
        at: DateTime<Utc>,
    ) -> anyhow::Result<ImportSummary> {
        let records = import::read_file(path)?;
        let writer = self.writer()?;
        let summary = writer
            .import_phrases(&records, at)
            .with_context(|| format!("importing {}", path.display()))?;
        writer.commit()?;
        Ok(summary)
    }

    /// Adds or updates one phrase in its own transaction.
    pub fn save_phrase(
        &mut self,
        draft: &PhraseDraft,
        at: DateTime<Utc>,
    ) -> anyhow::Result<UpsertOutcome> {
        let writer = self.writer()?;
        let outcome = writer.upsert_phrase(draft, at)?;
        writer.commit()?;
        Ok(outcome)
    }

    /// Deletes one phrase in its own transaction. Returns false when no
    /// phrase has this id.
    pub fn remove_phrase(&mut self, id: &str) -> anyhow::Result<bool> {
        let writer = self.writer()?;
        let deleted = writer.delete_phrase(id)?;
        writer.commit()?;
        Ok(deleted)
    }

    /// Returns the phrase with this id.
    pub fn phrase(&self, id: &str) -> anyhow::Result<Option<Phrase>> {
        read_phrase(&self.connection, id).with_context(|| format!("reading phrase {id}"))
    }

    /// Lists the phrases that pass `filter`, by category, then title, then id.
    pub fn phrases(&self, filter: &PhraseFilter) -> anyhow::Result<Vec<Phrase>> {
        let mut statement = self.connection.prepare(&format!(
            "SELECT {PHRASE_COLUMNS} FROM phrases
              WHERE ?1 IS NULL OR category = ?1
              ORDER BY category, title, id"
        ))?;
        let phrases: Vec<Phrase> = statement
            .query_map(params![filter.category], phrase_from_row)?
            .collect::<Result<_, _>>()
            .context("reading phrases")?;
        let Some(search) = filter
            .search
            .as_deref()
            .map(str::trim)
            .filter(|search| !search.is_empty())
        else {
            return Ok(phrases);
        };
        // The library is small enough to filter here, and Rust's lowercase
        // covers all of Unicode where SQLite's LIKE folds ASCII only.
        let search = search.to_lowercase();
        Ok(phrases
            .into_iter()
            .filter(|phrase| {
                phrase.title.to_lowercase().contains(&search)
                    || phrase.body.to_lowercase().contains(&search)
                    || phrase
                        .keywords
                        .iter()
                        .any(|keyword| keyword.to_lowercase().contains(&search))
            })
            .collect())
    }

    /// Ranks every stored phrase for a customer's message with
    /// [`crate::phrases::suggest`].
    pub fn suggest_phrases(&self, text: &str, limit: usize) -> anyhow::Result<Vec<Suggestion>> {
        let phrases = self.phrases(&PhraseFilter::default())?;
        Ok(crate::phrases::suggest(&phrases, text, limit))
    }

    /// Returns the values for a ticket's placeholders: the customer's name
    /// and tier, the ticket's id, subject, status and priority, and the
    /// conversation's channel, with `agent_name` and `today` as given.
    pub fn render_context(
        &self,
        ticket_id: i64,
        agent_name: Option<&str>,
        today: Option<NaiveDate>,
    ) -> anyhow::Result<RenderContext> {
        read_render_context(&self.connection, ticket_id, agent_name, today)
    }

    /// Returns what the customer wrote on a ticket, to match phrases
    /// against: the ticket's subject and the text of the latest inbound
    /// message that has any. Returns an empty string when there is neither.
    pub fn ticket_customer_text(&self, ticket_id: i64) -> anyhow::Result<String> {
        let found: Option<(Option<String>, Option<String>)> = self
            .connection
            .query_row(
                "SELECT t.subject,
                        (SELECT m.body_text FROM messages m
                          WHERE m.conversation_id = t.conversation_id
                            AND m.direction = 'inbound' AND trim(m.body_text) <> ''
                          ORDER BY coalesce(m.sent_at, m.received_at) DESC, m.id DESC
                          LIMIT 1)
                   FROM tickets t WHERE t.id = ?1",
                params![ticket_id],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()
            .with_context(|| format!("reading ticket {ticket_id}"))?;
        let (subject, body) = found.with_context(|| {
            format!("ticket {ticket_id} not found; `kefu tickets` lists the tickets")
        })?;
        let parts: Vec<String> = [subject, body].into_iter().flatten().collect();
        Ok(parts.join("\n"))
    }
}

/// Reads the values for a ticket's placeholders; see [`Store::render_context`].
fn read_render_context(
    connection: &Connection,
    ticket_id: i64,
    agent_name: Option<&str>,
    today: Option<NaiveDate>,
) -> anyhow::Result<RenderContext> {
    let context = connection
        .query_row(
            "SELECT cu.name, cu.tier, t.subject, t.status, t.priority, c.channel
               FROM tickets t
               JOIN conversations c ON c.id = t.conversation_id
               JOIN customers cu ON cu.id = c.customer_id
              WHERE t.id = ?1",
            params![ticket_id],
            |row| {
                Ok(RenderContext {
                    customer_name: row.get(0)?,
                    customer_tier: row.get(1)?,
                    ticket_id: Some(ticket_id),
                    ticket_subject: row.get(2)?,
                    ticket_status: row.get(3)?,
                    ticket_priority: row.get(4)?,
                    agent_name: agent_name.map(str::to_string),
                    conversation_channel: row.get(5)?,
                    today,
                })
            },
        )
        .optional()
        .with_context(|| format!("reading ticket {ticket_id}"))?;
    context
        .with_context(|| format!("ticket {ticket_id} not found; `kefu tickets` lists the tickets"))
}

fn read_phrase(connection: &Connection, id: &str) -> anyhow::Result<Option<Phrase>> {
    Ok(connection
        .query_row(
            &format!("SELECT {PHRASE_COLUMNS} FROM phrases WHERE id = ?1"),
            params![id],
            phrase_from_row,
        )
        .optional()?)
}

fn phrase_from_row(row: &Row<'_>) -> rusqlite::Result<Phrase> {
    let keywords: String = row.get(4)?;
    Ok(Phrase {
        id: row.get(0)?,
        category: row.get(1)?,
        title: row.get(2)?,
        body: row.get(3)?,
        keywords: serde_json::from_str(&keywords).map_err(|error| {
            rusqlite::Error::FromSqlConversionFailure(4, rusqlite::types::Type::Text, error.into())
        })?,
        usage_count: row.get(5)?,
        last_used_at: row
            .get::<_, Option<String>>(6)?
            .map(|text| parse_time(&text))
            .transpose()?,
        created_at: parse_time(&row.get::<_, String>(7)?)?,
        updated_at: parse_time(&row.get::<_, String>(8)?)?,
    })
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    fn fixtures() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/phrases")
    }

    fn starter_file() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/examples/phrases.toml")
    }

    fn open_store() -> (tempfile::TempDir, Store) {
        let folder = tempfile::tempdir().unwrap();
        let store = Store::open(&folder.path().join("kefu.db")).unwrap();
        (folder, store)
    }

    fn draft(id: &str, body: &str) -> PhraseDraft {
        PhraseDraft {
            id: id.to_string(),
            category: "logistics".to_string(),
            title: "物流延误 Shipping delay".to_string(),
            body: body.to_string(),
            keywords: vec!["物流".to_string(), "late".to_string()],
        }
    }

    fn all_phrases(store: &Store) -> Vec<Phrase> {
        store.phrases(&PhraseFilter::default()).unwrap()
    }

    #[test]
    fn save_adds_updates_and_keeps() {
        let (_folder, mut store) = open_store();
        let first = Utc::now();
        let outcome = store
            .save_phrase(&draft("shipping-delay", "您好"), first)
            .unwrap();
        assert_eq!(outcome, UpsertOutcome::Added);

        let later = first + chrono::Duration::hours(1);
        let same = store
            .save_phrase(&draft("shipping-delay", "您好"), later)
            .unwrap();
        assert_eq!(same, UpsertOutcome::Unchanged);
        let changed = store
            .save_phrase(&draft("Shipping-Delay", "您好，包裹已发出。"), later)
            .unwrap();
        assert_eq!(changed, UpsertOutcome::Updated);

        let phrase = store.phrase("shipping-delay").unwrap().unwrap();
        assert_eq!(phrase.body, "您好，包裹已发出。");
        assert_eq!(phrase.keywords, vec!["物流", "late"]);
        assert_eq!(phrase.created_at, parse_time(&format_time(first)).unwrap());
        assert_eq!(phrase.updated_at, parse_time(&format_time(later)).unwrap());
    }

    #[test]
    fn save_rejects_unknown_placeholder() {
        let (_folder, mut store) = open_store();
        let error = store
            .save_phrase(&draft("shipping-delay", "{{order.id}}"), Utc::now())
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("unknown placeholder {{order.id}}"),
            "{error}"
        );
        assert!(all_phrases(&store).is_empty());
    }

    #[test]
    fn remove_deletes_once() {
        let (_folder, mut store) = open_store();
        store
            .save_phrase(&draft("shipping-delay", "您好"), Utc::now())
            .unwrap();
        assert!(store.remove_phrase("shipping-delay").unwrap());
        assert!(!store.remove_phrase("shipping-delay").unwrap());
        assert!(store.phrase("shipping-delay").unwrap().is_none());
    }

    #[test]
    fn record_use_counts_in_callers_transaction() {
        let (_folder, mut store) = open_store();
        store
            .save_phrase(&draft("shipping-delay", "您好"), Utc::now())
            .unwrap();
        let at = Utc::now();

        let writer = store.writer().unwrap();
        writer.record_phrase_use("shipping-delay", at).unwrap();
        drop(writer);
        let phrase = store.phrase("shipping-delay").unwrap().unwrap();
        assert_eq!(phrase.usage_count, 0, "a rolled-back use is not counted");

        let writer = store.writer().unwrap();
        writer.record_phrase_use("shipping-delay", at).unwrap();
        writer.record_phrase_use("shipping-delay", at).unwrap();
        writer.commit().unwrap();
        let phrase = store.phrase("shipping-delay").unwrap().unwrap();
        assert_eq!(phrase.usage_count, 2);
        assert_eq!(
            phrase.last_used_at,
            Some(parse_time(&format_time(at)).unwrap())
        );
    }

    #[test]
    fn record_use_of_unknown_phrase_fails() {
        let (_folder, mut store) = open_store();
        let writer = store.writer().unwrap();
        let error = writer
            .record_phrase_use("no-such-phrase", Utc::now())
            .unwrap_err()
            .to_string();
        assert!(error.contains("\"no-such-phrase\" not found"), "{error}");
    }

    #[test]
    fn list_filters_by_category_and_search() {
        let (_folder, mut store) = open_store();
        store.import_phrases(&starter_file(), Utc::now()).unwrap();

        let logistics = store
            .phrases(&PhraseFilter {
                category: Some("logistics".to_string()),
                search: None,
            })
            .unwrap();
        assert!(!logistics.is_empty());
        assert!(
            logistics
                .iter()
                .all(|phrase| phrase.category == "logistics")
        );

        let refunds = store
            .phrases(&PhraseFilter {
                category: None,
                search: Some("REFUND".to_string()),
            })
            .unwrap();
        assert!(refunds.iter().any(|phrase| phrase.id == "refund-policy"));
        let by_chinese_keyword = store
            .phrases(&PhraseFilter {
                category: None,
                search: Some("密码".to_string()),
            })
            .unwrap();
        assert!(
            by_chinese_keyword
                .iter()
                .any(|phrase| phrase.id == "password-reset")
        );
        let nothing = store
            .phrases(&PhraseFilter {
                category: None,
                search: Some("zzz-no-such-text".to_string()),
            })
            .unwrap();
        assert!(nothing.is_empty());
    }

    #[test]
    fn starter_file_imports_and_reimports_unchanged() {
        let (_folder, mut store) = open_store();
        let first = store.import_phrases(&starter_file(), Utc::now()).unwrap();
        assert!(first.added >= 15, "{first:?}");
        assert_eq!((first.updated, first.unchanged), (0, 0));

        let again = store.import_phrases(&starter_file(), Utc::now()).unwrap();
        assert_eq!(again.added, 0);
        assert_eq!(again.updated, 0);
        assert_eq!(again.unchanged, first.added);
    }

    #[test]
    fn csv_import_updates_by_id() {
        let (_folder, mut store) = open_store();
        store.import_phrases(&starter_file(), Utc::now()).unwrap();
        let before = all_phrases(&store).len();

        let summary = store
            .import_phrases(&fixtures().join("update-with-bom.csv"), Utc::now())
            .unwrap();
        assert_eq!(summary.added, 1, "{summary:?}");
        assert_eq!(summary.updated, 1, "{summary:?}");
        assert_eq!(summary.unchanged, 0, "{summary:?}");
        assert_eq!(all_phrases(&store).len(), before + 1);

        let greeting = store.phrase("greeting").unwrap().unwrap();
        assert!(greeting.body.contains("周末"), "{}", greeting.body);
        let gift = store.phrase("gift-wrap").unwrap().unwrap();
        assert_eq!(gift.keywords, vec!["礼品包装", "gift wrap", "gift"]);
    }

    #[test]
    fn bad_record_in_middle_changes_nothing() {
        let (_folder, mut store) = open_store();
        store.import_phrases(&starter_file(), Utc::now()).unwrap();
        let before = all_phrases(&store);

        let path = fixtures().join("bad-middle-record.csv");
        let error = format!("{:#}", store.import_phrases(&path, Utc::now()).unwrap_err());
        assert!(error.contains("bad-middle-record.csv"), "{error}");
        assert!(error.contains("record 2 (line 3), field body"), "{error}");
        assert!(error.contains("{{order.number}}"), "{error}");

        assert_eq!(all_phrases(&store), before);
        assert!(store.phrase("gift-wrap").unwrap().is_none());
    }

    #[test]
    fn failed_store_rolls_back_whole_import() {
        // Records that pass validation but fail while being stored: the
        // database rejects the second one, so the first must not stay.
        let (_folder, mut store) = open_store();
        store
            .connection
            .execute_batch(
                "CREATE TRIGGER reject_second BEFORE INSERT ON phrases
                   WHEN NEW.id = 'second'
                   BEGIN SELECT RAISE(ABORT, 'rejected by test trigger'); END;",
            )
            .unwrap();
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("two.toml");
        std::fs::write(
            &path,
            "[[phrase]]\nid = \"first\"\ncategory = \"c\"\ntitle = \"t\"\nbody = \"b\"\n\
             [[phrase]]\nid = \"second\"\ncategory = \"c\"\ntitle = \"t\"\nbody = \"b\"\n",
        )
        .unwrap();
        let error = format!("{:#}", store.import_phrases(&path, Utc::now()).unwrap_err());
        assert!(
            error.contains("record 2 (line 6), phrase second"),
            "{error}"
        );
        assert!(all_phrases(&store).is_empty());
    }

    #[test]
    fn render_context_for_missing_ticket_fails() {
        let (_folder, store) = open_store();
        let error = store.render_context(7, None, None).unwrap_err().to_string();
        assert!(error.contains("ticket 7 not found"), "{error}");
    }
}
