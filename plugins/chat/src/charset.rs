//! Character sets of the Twitter CSV text.
//!
//! The dataset is UTF-8, but a copy saved on a Chinese-locale system may be
//! GBK. The adapter reads the text as UTF-8 when it is valid UTF-8, else as
//! GB18030 (a superset of GBK and GB2312) when it decodes without errors.
//!
//! The CSV is split into rows and fields on the raw bytes, and each field is
//! decoded on its own. This is safe for GB18030 because the bytes of a
//! multi-byte character are 0x30–0x39 or 0x40–0xFE after the first byte, so
//! they are never a comma, a double quote, CR or LF.

use encoding_rs::GB18030;

/// A character set the adapter can decode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Charset {
    Utf8,
    Gb18030,
}

/// Charset choice for a whole file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileCharset {
    /// Every row is read in this charset.
    Whole(Charset),
    /// The file as a whole is neither valid UTF-8 nor valid GB18030, so each
    /// row gets the first charset in which it is valid.
    PerRow,
}

/// Note on each message of a file decoded as GB18030.
pub const FILE_GB18030_NOTE: &str =
    "The CSV file is not valid UTF-8, so its text was decoded as GB18030 (a superset of GBK).";

/// Note on a message whose row alone was decoded as GB18030.
pub const ROW_GB18030_NOTE: &str =
    "This row is not valid UTF-8, so its text was decoded as GB18030 (a superset of GBK).";

/// The text fields of one row.
pub struct DecodedRow {
    pub fields: Vec<String>,
    /// Note naming the charset assumed when it is not UTF-8.
    pub note: Option<&'static str>,
}

/// Chooses the charset of a file: UTF-8 when all of it is valid UTF-8, else
/// GB18030 when all of it is valid GB18030, else one charset per row.
pub fn detect_file(content: &[u8]) -> FileCharset {
    if std::str::from_utf8(content).is_ok() {
        FileCharset::Whole(Charset::Utf8)
    } else if kefu_charset::is_valid(content, GB18030) {
        FileCharset::Whole(Charset::Gb18030)
    } else {
        FileCharset::PerRow
    }
}

/// Decodes every field of a row, or returns why the row cannot be decoded.
pub fn decode_row(
    record: &csv::ByteRecord,
    file_charset: FileCharset,
) -> Result<DecodedRow, String> {
    match file_charset {
        FileCharset::Whole(Charset::Utf8) => decode_fields(record, Charset::Utf8)
            .map(|fields| DecodedRow { fields, note: None })
            .ok_or_else(|| "the row is not valid UTF-8".to_string()),
        FileCharset::Whole(Charset::Gb18030) => decode_fields(record, Charset::Gb18030)
            .map(|fields| DecodedRow {
                fields,
                note: Some(FILE_GB18030_NOTE),
            })
            .ok_or_else(|| "the row is not valid GB18030 (GBK) text".to_string()),
        FileCharset::PerRow => {
            if let Some(fields) = decode_fields(record, Charset::Utf8) {
                return Ok(DecodedRow { fields, note: None });
            }
            decode_fields(record, Charset::Gb18030)
                .map(|fields| DecodedRow {
                    fields,
                    note: Some(ROW_GB18030_NOTE),
                })
                .ok_or_else(|| {
                    "the row is neither valid UTF-8 nor valid GB18030 (GBK) text. \
                     Save the CSV as UTF-8 and import it again"
                        .to_string()
                })
        }
    }
}

/// Decodes every field in `charset`, or returns `None` when one of them is
/// invalid in it.
fn decode_fields(record: &csv::ByteRecord, charset: Charset) -> Option<Vec<String>> {
    record
        .iter()
        .map(|field| match charset {
            Charset::Utf8 => std::str::from_utf8(field).ok().map(str::to_string),
            Charset::Gb18030 => kefu_charset::decode_strict(field, GB18030),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_charset_prefers_utf8() {
        assert_eq!(
            detect_file("你好".as_bytes()),
            FileCharset::Whole(Charset::Utf8)
        );
        let (gbk, _, had_errors) = GB18030.encode("你好");
        assert!(!had_errors);
        assert_eq!(detect_file(&gbk), FileCharset::Whole(Charset::Gb18030));
        // 0xFF starts no character in UTF-8 or GB18030.
        assert_eq!(detect_file(b"ok \xff"), FileCharset::PerRow);
    }
}
