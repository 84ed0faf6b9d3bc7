//! Character set of a call-record file.
//!
//! Exports from PBXs and call-centre systems on Chinese-locale machines are
//! often GBK. A file that is not UTF-8 but decodes as GB18030 (a superset
//! of GBK and GB2312) without errors is read as GB18030. The CSV is split
//! on the raw bytes first, which is safe because the bytes after the first
//! of a GB18030 multi-byte character are 0x30–0x39 or 0x40–0xFE, never a
//! comma, semicolon, double quote, CR or LF.

use encoding_rs::GB18030;

/// Note on each message of a file read as GB18030.
pub const GB18030_NOTE: &str = "The call-record file is not valid UTF-8, so its text was decoded as GB18030 (a superset of GBK).";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Charset {
    Utf8,
    Gb18030,
    /// Neither: each field is read as UTF-8 when valid, else as Latin-1.
    PerField,
}

/// Chooses the charset of a whole file.
pub fn detect(content: &[u8]) -> Charset {
    if std::str::from_utf8(content).is_ok() {
        Charset::Utf8
    } else if GB18030
        .decode_without_bom_handling_and_without_replacement(content)
        .is_some()
    {
        Charset::Gb18030
    } else {
        Charset::PerField
    }
}

impl Charset {
    /// Decodes one field.
    pub fn decode(self, bytes: &[u8]) -> String {
        match self {
            Charset::Gb18030 => GB18030
                .decode_without_bom_handling_and_without_replacement(bytes)
                .map_or_else(|| crate::cdr::text(bytes), |text| text.into_owned()),
            Charset::Utf8 | Charset::PerField => crate::cdr::text(bytes),
        }
    }

    /// Note for the messages of a file in this charset, when it is not
    /// UTF-8.
    pub fn note(self) -> Option<&'static str> {
        (self == Charset::Gb18030).then_some(GB18030_NOTE)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gbk_file_detected_and_decoded() {
        let (bytes, _, _) = GB18030.encode("\"张三\",\"13800138000\"\n");
        assert_eq!(detect(&bytes), Charset::Gb18030);
        assert_eq!(Charset::Gb18030.decode(&bytes[1..5]), "张三");
    }

    #[test]
    fn utf8_file_stays_utf8() {
        assert_eq!(detect("\"张三\"".as_bytes()), Charset::Utf8);
    }

    #[test]
    fn invalid_in_both_read_per_field() {
        // 0x80 alone is invalid UTF-8 and invalid GB18030.
        let bytes = b"caf\xe9,\x80";
        assert_eq!(detect(bytes), Charset::PerField);
        assert_eq!(Charset::PerField.decode(b"caf\xe9"), "café");
    }
}
