//! Customer satisfaction ratings: stored against a ticket, imported from
//! CSV or read from a customer's message.

use std::collections::HashMap;

use anyhow::Context;
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use rusqlite::params;

use super::write::Writer;
use super::{Store, format_time};

/// Origin of a rating.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RatingSource {
    /// A row of a CSV file given to `kefu ratings import`.
    Import,
    /// A customer's message that contained only a rating.
    Message,
}

impl RatingSource {
    fn as_str(self) -> &'static str {
        match self {
            Self::Import => "import",
            Self::Message => "message",
        }
    }
}

/// A rating to store.
#[derive(Debug, Clone, PartialEq)]
pub struct NewRating {
    pub ticket_id: i64,
    /// 1 (worst) to 5 (best).
    pub score: u8,
    pub comment: Option<String>,
    pub rated_at: DateTime<Utc>,
    pub source: RatingSource,
    pub message_id: Option<i64>,
}

/// Counts of one ratings import.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RatingsImport {
    /// Rows stored now.
    pub stored: usize,
    /// Rows already stored by an earlier import.
    pub already_stored: usize,
}

/// Maximum number of line errors one failed import lists. The rest are
/// counted.
const MAX_LISTED_ERRORS: usize = 20;

impl Writer<'_> {
    /// Stores a rating. Returns false when the same ticket already has a
    /// rating with this score at this time, or one from this message.
    pub fn insert_rating(&self, rating: &NewRating, now: DateTime<Utc>) -> anyhow::Result<bool> {
        if !(1..=5).contains(&rating.score) {
            anyhow::bail!(
                "rating score {} is outside 1-5; use 1 for the worst and 5 for the best",
                rating.score
            );
        }
        if !self.ticket_exists(rating.ticket_id)? {
            anyhow::bail!(
                "ticket {} not found; `kefu tickets` lists the tickets",
                rating.ticket_id
            );
        }
        let inserted = self.execute_cached(
            "INSERT OR IGNORE INTO ratings (ticket_id, score, comment, rated_at, source,
                                            message_id, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                rating.ticket_id,
                rating.score,
                rating.comment,
                format_time(rating.rated_at),
                rating.source.as_str(),
                rating.message_id,
                format_time(now),
            ],
        )?;
        Ok(inserted == 1)
    }
}

impl Store {
    /// Imports ratings from CSV text with the columns `ticket`, `score`
    /// (1-5), `rated_at` and an optional `comment`, in any order. A
    /// `rated_at` without an offset is read in `time_zone`.
    ///
    /// Every row is checked first. When any row is invalid, nothing is
    /// stored and the error lists each bad line with its value, so the file
    /// can be fixed and imported again. Rows stored by an earlier import of
    /// the same file are skipped.
    pub fn import_ratings(
        &mut self,
        csv_text: &str,
        source_name: &str,
        time_zone: Tz,
        now: DateTime<Utc>,
    ) -> anyhow::Result<RatingsImport> {
        let ratings = parse_ratings_csv(csv_text, source_name, time_zone)?;
        let writer = self.writer()?;
        let mut errors = Vec::new();
        for (line, rating) in &ratings {
            if !writer.ticket_exists(rating.ticket_id)? {
                errors.push(format!(
                    "line {line}: ticket {} not found",
                    rating.ticket_id
                ));
            }
        }
        if !errors.is_empty() {
            anyhow::bail!(line_errors(
                source_name,
                &errors,
                "use ids from `kefu tickets`"
            ));
        }
        let mut summary = RatingsImport::default();
        for (_, rating) in &ratings {
            if writer.insert_rating(rating, now)? {
                summary.stored += 1;
            } else {
                summary.already_stored += 1;
            }
        }
        writer.commit()?;
        Ok(summary)
    }
}

/// Parses a ratings CSV into ratings with their line numbers, or fails
/// listing every invalid line.
fn parse_ratings_csv(
    csv_text: &str,
    source_name: &str,
    time_zone: Tz,
) -> anyhow::Result<Vec<(u64, NewRating)>> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(csv_text.trim_start_matches('\u{feff}').as_bytes());
    let headers = reader
        .headers()
        .with_context(|| format!("{source_name}: reading the header line"))?
        .clone();
    let columns: HashMap<String, usize> = headers
        .iter()
        .enumerate()
        .map(|(index, name)| (name.to_ascii_lowercase(), index))
        .collect();
    let column = |names: &[&str]| names.iter().find_map(|name| columns.get(*name).copied());
    let (Some(ticket_column), Some(score_column), Some(time_column)) = (
        column(&["ticket", "ticket_id"]),
        column(&["score", "rating"]),
        column(&["rated_at", "time"]),
    ) else {
        anyhow::bail!(
            "{source_name}: line 1: header {:?} must name the columns ticket, score and \
             rated_at (comment is optional), for example `ticket,score,rated_at,comment`",
            headers.iter().collect::<Vec<_>>().join(",")
        );
    };
    let comment_column = column(&["comment"]);

    let mut ratings = Vec::new();
    let mut errors = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(record) => record,
            Err(error) => {
                let line = error.position().map_or(0, |position| position.line());
                errors.push(format!("line {line}: invalid CSV: {error}"));
                continue;
            }
        };
        let line = record.position().map_or(0, |position| position.line());
        if record.iter().all(str::is_empty) {
            continue;
        }
        let field = |index: usize| record.get(index).unwrap_or("");
        let ticket = field(ticket_column);
        let score = field(score_column);
        let rated_at = field(time_column);
        let ticket_id = ticket.trim_start_matches('#').parse::<i64>().ok();
        if ticket_id.is_none() {
            errors.push(format!(
                "line {line}: ticket {ticket:?} is not a ticket id; expected a number such as 42"
            ));
        }
        let parsed_score = score
            .parse::<u8>()
            .ok()
            .filter(|score| (1..=5).contains(score));
        if parsed_score.is_none() {
            errors.push(format!(
                "line {line}: score {score:?} is not a whole number from 1 to 5"
            ));
        }
        let parsed_time = parse_rated_at(rated_at, time_zone);
        if parsed_time.is_none() {
            errors.push(format!(
                "line {line}: rated_at {rated_at:?} is not a time; use RFC 3339 such as \
                 2026-11-05T14:30:00+08:00, or 2026-11-05 14:30 in {time_zone}"
            ));
        }
        if let (Some(ticket_id), Some(score), Some(rated_at)) =
            (ticket_id, parsed_score, parsed_time)
        {
            let comment = comment_column
                .map(field)
                .filter(|comment| !comment.is_empty())
                .map(str::to_string);
            ratings.push((
                line,
                NewRating {
                    ticket_id,
                    score,
                    comment,
                    rated_at,
                    source: RatingSource::Import,
                    message_id: None,
                },
            ));
        }
    }
    if !errors.is_empty() {
        anyhow::bail!(line_errors(source_name, &errors, "fix these lines"));
    }
    Ok(ratings)
}

/// Reads an RFC 3339 time, or a local `YYYY-MM-DD HH:MM[:SS]` or
/// `YYYY-MM-DD` in `time_zone`. A local time that clocks skip is invalid,
/// and one that occurs twice is its first occurrence.
fn parse_rated_at(text: &str, time_zone: Tz) -> Option<DateTime<Utc>> {
    if let Ok(time) = DateTime::parse_from_rfc3339(text) {
        return Some(time.with_timezone(&Utc));
    }
    let local = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
        .or_else(|| {
            chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .ok()
                .and_then(|date| date.and_hms_opt(0, 0, 0))
        })?;
    time_zone
        .from_local_datetime(&local)
        .earliest()
        .map(|time| time.with_timezone(&Utc))
}

/// Formats the error of a failed import: the file, each line error up to
/// [`MAX_LISTED_ERRORS`], and what to do.
fn line_errors(source_name: &str, errors: &[String], fix: &str) -> String {
    let mut text = format!(
        "{source_name}: {} invalid line(s), nothing was imported; {fix}:",
        errors.len()
    );
    for error in errors.iter().take(MAX_LISTED_ERRORS) {
        text.push_str("\n  ");
        text.push_str(error);
    }
    if errors.len() > MAX_LISTED_ERRORS {
        text.push_str(&format!(
            "\n  and {} more",
            errors.len() - MAX_LISTED_ERRORS
        ));
    }
    text
}

/// Reads a rating from a customer's message that contains nothing else: a
/// digit 1-5 after an optional `rating`, `CSAT`, `评分` or `满意度` label,
/// optionally followed by `/5`, `分`, `星` or `stars`, such as `5`,
/// `Rating: 4/5` or `评分：5分`. Returns `None` for any other text, so an
/// ordinary reply that starts with a number is never taken as a rating.
pub fn rating_in_reply(text: &str) -> Option<u8> {
    let lower = text.trim().to_lowercase();
    let mut rest = lower.as_str();
    for label in ["rating", "csat", "评分", "满意度"] {
        if let Some(after) = rest.strip_prefix(label) {
            rest = after
                .trim_start()
                .trim_start_matches([':', '：'])
                .trim_start();
            break;
        }
    }
    let mut chars = rest.chars();
    let score = chars.next()?.to_digit(10)?;
    if !(1..=5).contains(&score) {
        return None;
    }
    let suffix = chars.as_str().trim();
    matches!(suffix, "" | "/5" | "/ 5" | "分" | "星" | "stars" | "star").then_some(score as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rating_in_reply_accepts_scores() {
        for (text, score) in [
            ("5", 5),
            (" 4/5 ", 4),
            ("Rating: 3", 3),
            ("CSAT 2", 2),
            ("评分：5分", 5),
            ("满意度: 1", 1),
            ("4星", 4),
            ("5 stars", 5),
        ] {
            assert_eq!(rating_in_reply(text), Some(score), "{text:?}");
        }
    }

    #[test]
    fn rating_in_reply_rejects_other_text() {
        for text in [
            "0",
            "6",
            "10",
            "5 orders are missing",
            "rating",
            "",
            "3 days ago",
        ] {
            assert_eq!(rating_in_reply(text), None, "{text:?}");
        }
    }

    #[test]
    fn rated_at_local_and_offset() {
        let shanghai = chrono_tz::Asia::Shanghai;
        let expected = Utc.with_ymd_and_hms(2026, 11, 5, 6, 30, 0).unwrap();
        assert_eq!(parse_rated_at("2026-11-05 14:30", shanghai), Some(expected));
        assert_eq!(
            parse_rated_at("2026-11-05T14:30:00+08:00", shanghai),
            Some(expected)
        );
        assert_eq!(
            parse_rated_at("2026-11-05T06:30:00Z", shanghai),
            Some(expected)
        );
        assert_eq!(parse_rated_at("05/11/2026", shanghai), None);
    }

    #[test]
    fn ratings_csv_header_missing_column() {
        let error = parse_ratings_csv("ticket,score\n1,5\n", "r.csv", chrono_tz::UTC)
            .unwrap_err()
            .to_string();
        assert!(error.contains("line 1"), "{error}");
        assert!(error.contains("rated_at"), "{error}");
    }
}
