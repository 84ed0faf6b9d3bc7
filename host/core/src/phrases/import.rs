//! Reading phrase files: TOML with `[[phrase]]` tables, and CSV with the
//! header `id,category,title,body,keywords`.
//!
//! Every record is parsed and validated before anything is stored, and
//! each error names the file, the record, its line, the field and the fix.
//! `Store::import_phrases` then stores the records in one transaction.

use std::collections::HashMap;
use std::path::Path;

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};

use super::PhraseDraft;

/// Maximum size of a phrase file, in bytes. A library of thousands of
/// replies fits many times over, so a larger file is most likely the wrong one.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Separator of the keywords in a CSV field.
pub const CSV_KEYWORD_SEPARATOR: char = ';';

/// Columns of a CSV phrase file. `keywords` may be left out.
const CSV_COLUMNS: &[&str] = &["id", "category", "title", "body", "keywords"];

/// A validated phrase read from a file, with where it was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRecord {
    pub draft: PhraseDraft,
    /// 1-based number of the record in the file.
    pub record: usize,
    /// 1-based line where the record starts.
    pub line: usize,
}

/// Result of storing one phrase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum UpsertOutcome {
    Added,
    Updated,
    /// A phrase with the same id and the same fields was stored already.
    Unchanged,
}

/// Counts of the phrases an import added, updated and left unchanged.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ImportSummary {
    pub added: usize,
    pub updated: usize,
    pub unchanged: usize,
}

impl ImportSummary {
    /// Counts one stored phrase.
    pub fn count(&mut self, outcome: UpsertOutcome) {
        match outcome {
            UpsertOutcome::Added => self.added += 1,
            UpsertOutcome::Updated => self.updated += 1,
            UpsertOutcome::Unchanged => self.unchanged += 1,
        }
    }
}

/// Reads and validates a `.toml` or `.csv` phrase file. The text must be
/// UTF-8. A leading byte order mark is skipped.
pub fn read_file(path: &Path) -> anyhow::Result<Vec<ImportRecord>> {
    let name = path.display().to_string();
    let extension = path
        .extension()
        .and_then(|extension| extension.to_str())
        .map(str::to_ascii_lowercase);
    let parse: fn(&str, &str) -> anyhow::Result<Vec<ImportRecord>> = match extension.as_deref() {
        Some("toml") => parse_toml,
        Some("csv") => parse_csv,
        _ => bail!(
            "{name}: unknown phrase file type; name the file .toml ([[phrase]] tables) \
             or .csv (header id,category,title,body,keywords)"
        ),
    };
    let size = std::fs::metadata(path)
        .with_context(|| format!("reading phrase file {name}; check that the path exists"))?
        .len();
    if size > MAX_FILE_BYTES {
        bail!(
            "{name}: {size} bytes, more than the {MAX_FILE_BYTES} a phrase file may have; \
             split it into several files"
        );
    }
    let bytes = std::fs::read(path).with_context(|| format!("reading phrase file {name}"))?;
    let text = String::from_utf8(bytes).map_err(|error| {
        anyhow::anyhow!(
            "{name}: not valid UTF-8 at byte {}; save the file as UTF-8",
            error.utf8_error().valid_up_to()
        )
    })?;
    parse(text.strip_prefix('\u{feff}').unwrap_or(&text), &name)
}

/// Parses and validates TOML phrase text. `name` names the file in errors.
pub fn parse_toml(text: &str, name: &str) -> anyhow::Result<Vec<ImportRecord>> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct PhraseFile {
        #[serde(default)]
        phrase: Vec<toml::Spanned<PhraseDraft>>,
    }

    let file: PhraseFile = toml::from_str(text).map_err(|error| {
        anyhow::anyhow!(
            "{name}: {}; each phrase is a [[phrase]] table with id, category, title, body \
             and an optional keywords array",
            error.to_string().trim_end()
        )
    })?;
    let drafts = file
        .phrase
        .into_iter()
        .enumerate()
        .map(|(index, spanned)| {
            let line = line_of(text, spanned.span().start);
            (index + 1, line, spanned.into_inner())
        })
        .collect();
    validate_records(drafts, name, "[[phrase]] tables")
}

/// Parses and validates CSV phrase text. `name` names the file in errors.
pub fn parse_csv(text: &str, name: &str) -> anyhow::Result<Vec<ImportRecord>> {
    let mut rows = csv_rows(text).map_err(|error| anyhow::anyhow!("{name}: {error}"))?;
    if rows.is_empty() {
        bail!(
            "{name}: the file is empty; start it with the header id,category,title,body,keywords"
        );
    }
    let (_, header) = rows.remove(0);
    let columns =
        csv_columns(&header).map_err(|error| anyhow::anyhow!("{name}: line 1: {error}"))?;

    let mut drafts = Vec::with_capacity(rows.len());
    for (index, (line, fields)) in rows.into_iter().enumerate() {
        let record = index + 1;
        if fields.len() != header.len() {
            bail!(
                "{name}: record {record} (line {line}) has {} fields, but the header has {}; \
                 put a field that contains a comma or a line break in double quotes",
                fields.len(),
                header.len()
            );
        }
        let field = |column: &str| {
            columns
                .get(column)
                .map(|&index| fields[index].clone())
                .unwrap_or_default()
        };
        drafts.push((
            record,
            line,
            PhraseDraft {
                id: field("id"),
                category: field("category"),
                title: field("title"),
                body: field("body"),
                keywords: field("keywords")
                    .split(CSV_KEYWORD_SEPARATOR)
                    .map(str::to_string)
                    .collect(),
            },
        ));
    }
    validate_records(drafts, name, "records below the header")
}

/// Normalizes and validates each `(record, line, draft)` and rejects a
/// file with no records or with one id twice.
fn validate_records(
    drafts: Vec<(usize, usize, PhraseDraft)>,
    name: &str,
    expected: &str,
) -> anyhow::Result<Vec<ImportRecord>> {
    if drafts.is_empty() {
        bail!("{name}: no phrases found; write each phrase as one of the {expected}");
    }
    let mut first_record_of: HashMap<String, (usize, usize)> = HashMap::new();
    let mut records = Vec::with_capacity(drafts.len());
    for (record, line, draft) in drafts {
        let draft = draft.normalized();
        draft
            .validate()
            .map_err(|error| anyhow::anyhow!("{name}: record {record} (line {line}), {error}"))?;
        if let Some((first, first_line)) = first_record_of.get(&draft.id) {
            bail!(
                "{name}: record {record} (line {line}), field id: phrase id {:?} is also used by \
                 record {first} (line {first_line}); give each phrase its own id",
                draft.id
            );
        }
        first_record_of.insert(draft.id.clone(), (record, line));
        records.push(ImportRecord {
            draft,
            record,
            line,
        });
    }
    Ok(records)
}

/// Maps each CSV column name to its index, rejecting unknown, repeated and
/// missing columns.
fn csv_columns(header: &[String]) -> Result<HashMap<String, usize>, String> {
    let mut columns = HashMap::new();
    for (index, column) in header.iter().enumerate() {
        let column = column.trim().to_ascii_lowercase();
        if !CSV_COLUMNS.contains(&column.as_str()) {
            return Err(format!(
                "unknown column {column:?}; the header is id,category,title,body,keywords"
            ));
        }
        if columns.insert(column.clone(), index).is_some() {
            return Err(format!("column {column:?} appears twice in the header"));
        }
    }
    for required in &CSV_COLUMNS[..4] {
        if !columns.contains_key(*required) {
            return Err(format!(
                "the header lacks the column {required:?}; the header is \
                 id,category,title,body,keywords"
            ));
        }
    }
    Ok(columns)
}

/// Splits CSV text (RFC 4180: comma-separated, fields in double quotes may
/// contain commas, line breaks and doubled quotes) into rows, each with the
/// 1-based line it starts on. Blank lines are skipped.
fn csv_rows(text: &str) -> Result<Vec<(usize, Vec<String>)>, String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|error| match error.position() {
            Some(position) => format!("line {}: {error}", line_of(text, position.byte() as usize)),
            None => error.to_string(),
        })?;
        // The reader places a record where the previous one ended, before
        // its line break and any blank lines.
        let line = record.position().map_or(0, |position| {
            let start = position.byte() as usize;
            let skipped = text[start.min(text.len())..]
                .find(|c: char| c != '\r' && c != '\n')
                .unwrap_or(0);
            line_of(text, start + skipped)
        });
        // Line breaks inside quoted fields become plain `\n`, as in TOML.
        rows.push((
            line,
            record
                .iter()
                .map(|field| field.replace("\r\n", "\n"))
                .collect(),
        ));
    }
    Ok(rows)
}

/// Returns the 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_of(result: anyhow::Result<Vec<ImportRecord>>) -> String {
        format!("{:#}", result.unwrap_err())
    }

    #[test]
    fn csv_quotes_commas_and_line_breaks() {
        let rows = csv_rows("a,\"b, \"\"c\"\"\r\nd\",e\r\n\r\nf,,\"\"\n").unwrap();
        assert_eq!(
            rows,
            vec![
                (1, vec!["a".into(), "b, \"c\"\nd".into(), "e".into()]),
                (4, vec!["f".into(), String::new(), String::new()]),
            ]
        );
    }

    #[test]
    fn csv_without_final_line_break() {
        let rows = csv_rows("a,b\nc,d").unwrap();
        assert_eq!(rows[1], (2, vec!["c".to_string(), "d".to_string()]));
    }

    #[test]
    fn csv_records_become_drafts() {
        let text = "id,category,title,body,keywords\n\
                    Greeting,通用,问候,\"您好，{{customer.name}}！\n有什么可以帮您？\",你好; hello ;\n";
        let records = parse_csv(text, "p.csv").unwrap();
        assert_eq!(records.len(), 1);
        let draft = &records[0].draft;
        assert_eq!(draft.id, "greeting");
        assert_eq!(draft.body, "您好，{{customer.name}}！\n有什么可以帮您？");
        assert_eq!(draft.keywords, vec!["你好", "hello"]);
        assert_eq!((records[0].record, records[0].line), (1, 2));
    }

    #[test]
    fn csv_column_order_is_free() {
        let text = "title,id,body,category\n问候,greeting,您好,通用\n";
        let records = parse_csv(text, "p.csv").unwrap();
        assert_eq!(records[0].draft.id, "greeting");
        assert!(records[0].draft.keywords.is_empty());
    }

    #[test]
    fn csv_unknown_column_is_named() {
        let error = error_of(parse_csv("id,category,title,text\n", "p.csv"));
        assert!(error.contains("\"text\""), "{error}");
        assert!(error.contains("p.csv: line 1"), "{error}");
    }

    #[test]
    fn csv_wrong_field_count_names_record() {
        let text = "id,category,title,body,keywords\na,b,c,d,e\nf,g,h,i,j,k\n";
        let error = error_of(parse_csv(text, "p.csv"));
        assert!(error.contains("record 2 (line 3) has 6 fields"), "{error}");
    }

    #[test]
    fn invalid_field_names_record_and_field() {
        let text = "id,category,title,body,keywords\n\
                    greeting,通用,问候,您好,\n\
                    refund policy,售后,退款,退款说明,\n";
        let error = error_of(parse_csv(text, "p.csv"));
        assert!(
            error.starts_with("p.csv: record 2 (line 3), field id:"),
            "{error}"
        );
        assert!(error.contains("for example refund-policy"), "{error}");
    }

    #[test]
    fn duplicate_id_names_both_records() {
        let text = "[[phrase]]\nid = \"a\"\ncategory = \"c\"\ntitle = \"t\"\nbody = \"b\"\n\n\
                    [[phrase]]\nid = \"A\"\ncategory = \"c\"\ntitle = \"t\"\nbody = \"b\"\n";
        let error = error_of(parse_toml(text, "p.toml"));
        assert!(error.contains("record 2 (line 7)"), "{error}");
        assert!(error.contains("record 1 (line 1)"), "{error}");
    }

    #[test]
    fn toml_unknown_field_is_named() {
        let text = "[[phrase]]\nid = \"a\"\ncategory = \"c\"\ntitle = \"t\"\ntext = \"b\"\n";
        let error = error_of(parse_toml(text, "p.toml"));
        assert!(error.starts_with("p.toml:"), "{error}");
        assert!(error.contains("text"), "{error}");
        assert!(error.contains("line 5"), "{error}");
    }

    #[test]
    fn toml_placeholder_error_names_record_line() {
        let text = "[[phrase]]\nid = \"a\"\ncategory = \"c\"\ntitle = \"t\"\nbody = \"b\"\n\n\
                    [[phrase]]\nid = \"b\"\ncategory = \"c\"\ntitle = \"t\"\n\
                    body = \"您好 {{customer.phone}}\"\n";
        let error = error_of(parse_toml(text, "p.toml"));
        assert!(
            error.starts_with("p.toml: record 2 (line 7), field body: unknown placeholder"),
            "{error}"
        );
        assert!(error.contains("{{customer.phone}}"), "{error}");
    }

    #[test]
    fn empty_files_are_rejected() {
        assert!(error_of(parse_toml("", "p.toml")).contains("no phrases found"));
        assert!(error_of(parse_csv("", "p.csv")).contains("the file is empty"));
        let header_only = error_of(parse_csv("id,category,title,body,keywords\n", "p.csv"));
        assert!(header_only.contains("no phrases found"), "{header_only}");
    }

    #[test]
    fn unknown_extension_is_rejected() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("phrases.json");
        std::fs::write(&path, "[]").unwrap();
        let error = error_of(read_file(&path));
        assert!(error.contains("name the file .toml"), "{error}");
    }

    #[test]
    fn invalid_utf8_names_byte() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("gbk.csv");
        // "通用" in GBK; its first two bytes happen to form one UTF-8 character.
        std::fs::write(
            &path,
            b"id,category,title,body\ngreeting,\xcd\xa8\xd3\xc3,t,b\n",
        )
        .unwrap();
        let error = error_of(read_file(&path));
        assert!(error.contains("not valid UTF-8 at byte 34"), "{error}");
        assert!(error.contains("save the file as UTF-8"), "{error}");
    }
}
