//! Column mappings: how to read any CSV export of call records.
//!
//! The adapter sees only the input's bytes, so the host puts the mapping in
//! front of the CSV (see [`split_envelope`]). The raw input stored is that
//! envelope, so retrying a quarantined input reads it with the same mapping.

use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone};
use serde::Deserialize;

use crate::cdr::{CallRow, seconds};

/// First bytes of an input that carries a column mapping. The line is
/// `kefu-cdr-mapping LENGTH\n`, followed by LENGTH bytes of TOML and then
/// the CSV.
pub const ENVELOPE_MAGIC: &[u8] = b"kefu-cdr-mapping ";

/// Splits an input into its mapping text and the offset where the CSV
/// starts. Returns `None` when the input has no mapping.
pub fn split_envelope(bytes: &[u8]) -> Option<Result<(&str, usize), String>> {
    let rest = bytes.strip_prefix(ENVELOPE_MAGIC)?;
    let Some(line_end) = rest.iter().position(|&byte| byte == b'\n') else {
        return Some(Err("the mapping header line has no end".to_string()));
    };
    let length = std::str::from_utf8(&rest[..line_end])
        .ok()
        .and_then(|text| text.trim().parse::<usize>().ok());
    let Some(length) = length else {
        return Some(Err(
            "the mapping header line does not give the mapping's length in bytes".to_string(),
        ));
    };
    let start = ENVELOPE_MAGIC.len() + line_end + 1;
    let Some(mapping) = bytes.get(start..start + length) else {
        return Some(Err(format!(
            "the mapping is said to be {length} bytes long, but the input ends before that"
        )));
    };
    let Ok(mapping) = std::str::from_utf8(mapping) else {
        return Some(Err(
            "the column mapping is not UTF-8; save it as UTF-8".to_string()
        ));
    };
    Some(Ok((mapping, start + length)))
}

/// Where a field is: a header name or a column number counted from 1.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum ColumnRef {
    Number(usize),
    Name(String),
}

/// The `[columns]` table of a mapping. Only `caller` and `start` are
/// required.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Columns {
    pub caller: Option<ColumnRef>,
    pub caller_name: Option<ColumnRef>,
    pub callee: Option<ColumnRef>,
    pub start: Option<ColumnRef>,
    pub answer: Option<ColumnRef>,
    pub end: Option<ColumnRef>,
    pub duration: Option<ColumnRef>,
    pub billsec: Option<ColumnRef>,
    pub disposition: Option<ColumnRef>,
    pub unique_id: Option<ColumnRef>,
}

/// A column mapping file (`NAME.cdr.toml` or `cdr.toml`).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Mapping {
    /// Whether the first row is a header row. Defaults to true when any
    /// column is given by name.
    pub header: Option<bool>,
    /// Field delimiter: one ASCII character. Defaults to `;` when the first
    /// line has more semicolons than commas, else `,`.
    pub delimiter: Option<String>,
    /// strftime format of the time columns, or `unix` for seconds since
    /// 1970, or `rfc3339`.
    #[serde(default = "default_time_format")]
    pub time_format: String,
    /// UTC offset of times written without one, such as `+08:00`.
    pub time_zone: Option<String>,
    /// Dispositions that mean someone answered. Without it, a call counts
    /// as answered when its answer time is set, else when billsec is above
    /// zero.
    pub answered: Option<Vec<String>>,
    pub columns: Columns,
}

fn default_time_format() -> String {
    "%Y-%m-%d %H:%M:%S".to_string()
}

/// A mapping checked against the file's header row: column indexes from 0.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub caller: usize,
    pub caller_name: Option<usize>,
    pub callee: Option<usize>,
    pub start: usize,
    pub answer: Option<usize>,
    pub end: Option<usize>,
    pub duration: Option<usize>,
    pub billsec: Option<usize>,
    pub disposition: Option<usize>,
    pub unique_id: Option<usize>,
    pub time_format: String,
    pub time_zone: Option<FixedOffset>,
    pub answered: Option<Vec<String>>,
}

impl Mapping {
    /// Parses a mapping. Errors name the line and key, as `toml` reports them.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mapping: Self = toml::from_str(text).map_err(|error| {
            format!(
                "the column mapping is invalid: {}",
                error.to_string().trim_end()
            )
        })?;
        if mapping.columns.caller.is_none() || mapping.columns.start.is_none() {
            return Err("the column mapping needs at least [columns] caller and start".to_string());
        }
        let has_answer_rule = mapping.answered.is_some()
            || mapping.columns.answer.is_some()
            || mapping.columns.billsec.is_some();
        if !has_answer_rule {
            return Err(
                "the column mapping cannot tell answered calls from missed ones; \
                 map an answer or billsec column, or list the answered dispositions in \
                 answered = [...]"
                    .to_string(),
            );
        }
        if mapping.answered.is_some() && mapping.columns.disposition.is_none() {
            return Err(
                "the column mapping lists answered dispositions but maps no \
                 disposition column"
                    .to_string(),
            );
        }
        if let Some(delimiter) = &mapping.delimiter
            && !(delimiter.len() == 1 && delimiter.is_ascii())
        {
            return Err(format!(
                "the column mapping's delimiter {delimiter:?} is not one ASCII character; \
                 use for example \",\", \";\" or \"\\t\""
            ));
        }
        Ok(mapping)
    }

    /// Returns whether the first row is a header row.
    pub fn has_header(&self) -> bool {
        self.header.unwrap_or_else(|| {
            self.references()
                .iter()
                .any(|(_, column)| matches!(column, ColumnRef::Name(_)))
        })
    }

    /// Returns the delimiter byte, guessing from the first line when the
    /// mapping sets none.
    pub fn delimiter(&self, csv: &[u8]) -> u8 {
        if let Some(delimiter) = &self.delimiter {
            return delimiter.as_bytes()[0];
        }
        let first_line = csv.split(|&byte| byte == b'\n').next().unwrap_or_default();
        let count = |wanted: u8| first_line.iter().filter(|&&byte| byte == wanted).count();
        if count(b';') > count(b',') {
            b';'
        } else {
            b','
        }
    }

    fn references(&self) -> Vec<(&'static str, &ColumnRef)> {
        let columns = &self.columns;
        [
            ("caller", &columns.caller),
            ("caller-name", &columns.caller_name),
            ("callee", &columns.callee),
            ("start", &columns.start),
            ("answer", &columns.answer),
            ("end", &columns.end),
            ("duration", &columns.duration),
            ("billsec", &columns.billsec),
            ("disposition", &columns.disposition),
            ("unique-id", &columns.unique_id),
        ]
        .into_iter()
        .filter_map(|(key, column)| column.as_ref().map(|column| (key, column)))
        .collect()
    }

    /// Resolves header names to column indexes. `header` is the header
    /// row, when the file has one.
    pub fn resolve(&self, header: Option<&[String]>) -> Result<Resolved, String> {
        let find = |key: &str, column: &Option<ColumnRef>| -> Result<Option<usize>, String> {
            match column {
                None => Ok(None),
                Some(ColumnRef::Number(0)) => Err(format!(
                    "the column mapping's {key} = 0 is not a column; columns count from 1"
                )),
                Some(ColumnRef::Number(number)) => Ok(Some(number - 1)),
                Some(ColumnRef::Name(name)) => {
                    let Some(header) = header else {
                        return Err(format!(
                            "the column mapping names {key} = {name:?}, but header = false; \
                             give the column number instead"
                        ));
                    };
                    let wanted = name.trim();
                    header
                        .iter()
                        .position(|title| title.trim().eq_ignore_ascii_case(wanted))
                        .map(Some)
                        .ok_or_else(|| {
                            format!(
                                "the column mapping's {key} = {name:?} is not in the header \
                                 row, which has {header:?}"
                            )
                        })
                }
            }
        };
        let columns = &self.columns;
        let time_zone = match &self.time_zone {
            None => None,
            Some(zone) if zone.eq_ignore_ascii_case("utc") || zone == "Z" => {
                FixedOffset::east_opt(0)
            }
            Some(zone) => Some(zone.parse::<FixedOffset>().map_err(|_| {
                format!(
                    "the column mapping's time-zone = {zone:?} is not a UTC offset; \
                     write it like \"+08:00\" or \"UTC\""
                )
            })?),
        };
        Ok(Resolved {
            caller: find("caller", &columns.caller)?.unwrap_or_default(),
            caller_name: find("caller-name", &columns.caller_name)?,
            callee: find("callee", &columns.callee)?,
            start: find("start", &columns.start)?.unwrap_or_default(),
            answer: find("answer", &columns.answer)?,
            end: find("end", &columns.end)?,
            duration: find("duration", &columns.duration)?,
            billsec: find("billsec", &columns.billsec)?,
            disposition: find("disposition", &columns.disposition)?,
            unique_id: find("unique-id", &columns.unique_id)?,
            time_format: self.time_format.clone(),
            time_zone,
            answered: self.answered.clone(),
        })
    }
}

impl Resolved {
    /// Parses a time column. Returns the time in UTC seconds.
    pub fn parse_time(&self, value: &str, column: &str) -> Result<i64, String> {
        let value = value.trim();
        let invalid = || {
            format!(
                "the {column} time {value:?} does not match the mapping's time-format {:?}.",
                self.time_format
            )
        };
        match self.time_format.as_str() {
            "unix" => value
                .split('.')
                .next()
                .and_then(|seconds| seconds.parse::<i64>().ok())
                .ok_or_else(invalid),
            "rfc3339" => DateTime::parse_from_rfc3339(value)
                .map(|time| time.timestamp())
                .map_err(|_| invalid()),
            format => {
                let naive = NaiveDateTime::parse_from_str(value, format).map_err(|_| invalid())?;
                let zone = self
                    .time_zone
                    .unwrap_or_else(|| FixedOffset::east_opt(0).unwrap());
                zone.from_local_datetime(&naive)
                    .single()
                    .map(|time| time.timestamp())
                    .ok_or_else(invalid)
            }
        }
    }

    /// Reads one row through the mapping.
    pub fn row(&self, fields: &[String]) -> Result<CallRow, String> {
        let needed = self.max_index() + 1;
        if fields.len() < needed {
            return Err(format!(
                "the row has {} columns, but the column mapping reads column {needed}.",
                fields.len()
            ));
        }
        let field = |index: Option<usize>| index.map_or("", |index| fields[index].trim());
        let time = |index: Option<usize>, column: &str| -> Result<Option<i64>, String> {
            let value = field(index);
            if value.is_empty() {
                Ok(None)
            } else {
                self.parse_time(value, column).map(Some)
            }
        };
        let start_text = field(Some(self.start));
        if start_text.is_empty() {
            return Err("the start time is empty.".to_string());
        }
        let start = self.parse_time(start_text, "start")?;
        let answer = time(self.answer, "answer")?;
        let end = time(self.end, "end")?;
        let count = |index: Option<usize>, column: &str| -> Result<Option<u32>, String> {
            let value = field(index);
            if value.is_empty() {
                Ok(None)
            } else {
                seconds(value, column).map(Some)
            }
        };
        let elapsed = |from: Option<i64>| match (from, end) {
            (Some(from), Some(end)) if end >= from => u32::try_from(end - from).ok(),
            _ => None,
        };
        let duration = count(self.duration, "duration")?
            .or_else(|| elapsed(Some(start)))
            .unwrap_or(0);
        let billed = count(self.billsec, "billsec")?
            .or_else(|| elapsed(answer))
            .unwrap_or(0);
        let written = field(self.disposition).to_string();
        let answered = match &self.answered {
            Some(list) => list
                .iter()
                .any(|answered| answered.trim().eq_ignore_ascii_case(&written)),
            None if self.answer.is_some() => answer.is_some(),
            None => billed > 0,
        };
        let disposition = if written.is_empty() {
            if answered { "ANSWERED" } else { "NO ANSWER" }.to_string()
        } else {
            written
        };
        Ok(CallRow {
            source: field(Some(self.caller)).to_string(),
            caller_name: self
                .caller_name
                .map(|index| fields[index].trim().to_string()),
            caller_id: String::new(),
            destination: field(self.callee).to_string(),
            start,
            start_text: start_text.to_string(),
            duration,
            billed,
            disposition,
            answered,
            unique_id: self.unique_id.map(|index| fields[index].trim().to_string()),
            zone_unknown: self.zone_unknown(),
        })
    }

    /// Returns whether the times need a zone note: written without a zone
    /// and no time-zone in the mapping.
    pub fn zone_unknown(&self) -> bool {
        self.time_zone.is_none() && !matches!(self.time_format.as_str(), "unix" | "rfc3339")
    }

    /// The largest column index the mapping reads.
    pub fn max_index(&self) -> usize {
        [
            Some(self.caller),
            self.caller_name,
            self.callee,
            Some(self.start),
            self.answer,
            self.end,
            self.duration,
            self.billsec,
            self.disposition,
            self.unique_id,
        ]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = "[columns]\ncaller = 1\nstart = 2\nbillsec = 3\n";

    #[test]
    fn envelope_splits_mapping_and_csv() {
        let mut input = format!("kefu-cdr-mapping {}\n", MINIMAL.len()).into_bytes();
        input.extend_from_slice(MINIMAL.as_bytes());
        let csv_start = input.len();
        input.extend_from_slice(b"a,b,c\n");
        let (mapping, start) = split_envelope(&input).unwrap().unwrap();
        assert_eq!(mapping, MINIMAL);
        assert_eq!(start, csv_start);
        assert!(split_envelope(b"\"\",\"1\"").is_none());
    }

    #[test]
    fn envelope_with_bad_length_is_an_error() {
        let error = split_envelope(b"kefu-cdr-mapping 900\n[columns]\n")
            .unwrap()
            .unwrap_err();
        assert!(error.contains("900 bytes"), "{error}");
        let error = split_envelope(b"kefu-cdr-mapping x\n")
            .unwrap()
            .unwrap_err();
        assert!(error.contains("length"), "{error}");
    }

    #[test]
    fn header_defaults_follow_column_names() {
        let by_number = Mapping::parse(MINIMAL).unwrap();
        assert!(!by_number.has_header());
        let by_name =
            Mapping::parse("[columns]\ncaller = \"主叫\"\nstart = 2\nanswer = 3\n").unwrap();
        assert!(by_name.has_header());
    }

    #[test]
    fn delimiter_guessed_from_first_line() {
        let mapping = Mapping::parse(MINIMAL).unwrap();
        assert_eq!(mapping.delimiter(b"a;b;c,d\n1,2,3,4,5"), b';');
        assert_eq!(mapping.delimiter(b"a,b,c\n"), b',');
    }

    #[test]
    fn missing_required_columns_named() {
        let error = Mapping::parse("[columns]\ncaller = 1\nbillsec = 3\n").unwrap_err();
        assert!(error.contains("caller and start"), "{error}");
        let error = Mapping::parse("[columns]\ncaller = 1\nstart = 2\n").unwrap_err();
        assert!(error.contains("answered calls from missed ones"), "{error}");
    }

    #[test]
    fn unknown_key_named_with_line() {
        let error = Mapping::parse("[columns]\ncaller = 1\nstart = 2\nbilsec = 3\n").unwrap_err();
        assert!(error.contains("bilsec"), "{error}");
        assert!(error.contains("line 4"), "{error}");
    }

    #[test]
    fn unknown_header_name_listed() {
        let mapping =
            Mapping::parse("[columns]\ncaller = \"From\"\nstart = 2\nbillsec = 3\n").unwrap();
        let header = vec!["Caller".to_string(), "Start".to_string()];
        let error = mapping.resolve(Some(&header)).unwrap_err();
        assert!(error.contains("caller = \"From\""), "{error}");
        assert!(error.contains("\"Caller\""), "{error}");
    }

    #[test]
    fn time_zone_offset_applied() {
        let mapping = Mapping::parse(&format!(
            "time-zone = \"+08:00\"\ntime-format = \"%d/%m/%Y %H:%M\"\n{MINIMAL}"
        ))
        .unwrap();
        let resolved = mapping.resolve(None).unwrap();
        // 2024-05-01 10:00 in Beijing is 02:00 UTC.
        assert_eq!(
            resolved.parse_time("01/05/2024 10:00", "start"),
            Ok(1_714_528_800)
        );
        assert!(!resolved.zone_unknown());
        let error = resolved.parse_time("2024-05-01", "start").unwrap_err();
        assert!(error.contains("%d/%m/%Y %H:%M"), "{error}");
    }

    #[test]
    fn bad_time_zone_named() {
        let mapping = Mapping::parse(&format!("time-zone = \"Asia/Shanghai\"\n{MINIMAL}")).unwrap();
        let error = mapping.resolve(None).unwrap_err();
        assert!(error.contains("Asia/Shanghai"), "{error}");
        assert!(error.contains("+08:00"), "{error}");
    }
}
