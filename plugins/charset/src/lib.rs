//! Charset labels and text decoding for the built-in channel adapters.
//!
//! [`ALIASES`] is the one table of charset labels the adapters accept beyond
//! the WHATWG labels of encoding_rs. The email adapter resolves labels
//! through [`resolve`] for body parts, subjects, RFC 2231 parameters and raw
//! 8-bit header bytes. mail-parser decodes the display names in address
//! headers with its own table. That table agrees with this one for the
//! Chinese labels: it reads gb2312 as GB18030, which decodes every GBK byte
//! sequence the same way. The email adapter renames labels mail-parser does
//! not know before parsing. The chat adapter checks and decodes
//! unlabelled CSV text with [`decode_strict`] and [`is_valid`].

use encoding_rs::{
    BIG5, DecoderResult, EUC_JP, EUC_KR, Encoding, GB18030, GBK, ISO_2022_JP, SHIFT_JIS, UTF_8,
    UTF_16BE, UTF_16LE, WINDOWS_1252,
};

/// A charset the adapters can decode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Charset {
    /// An encoding of the WHATWG Encoding Standard, decoded by encoding_rs.
    Standard(&'static Encoding),
    /// UTF-7 (RFC 2152), which encoding_rs leaves out; mail-parser decodes it.
    Utf7,
}

/// Charset labels seen in real mail, with the charset to read them as.
///
/// Lookup tries this table first, then the WHATWG labels of encoding_rs,
/// then the longest known prefix of the label. The table repeats some
/// WHATWG labels on purpose, so that every decision that matters for
/// Chinese mail is written down here and covered by a test.
pub const ALIASES: &[(&str, Charset)] = &[
    // GB2312 mail routinely carries GBK-only characters, and GBK is a
    // superset, so every simplified Chinese label reads as GBK.
    ("gb2312", Charset::Standard(GBK)),
    ("gb_2312", Charset::Standard(GBK)),
    ("gb_2312-80", Charset::Standard(GBK)),
    ("csgb2312", Charset::Standard(GBK)),
    ("euc-cn", Charset::Standard(GBK)),
    ("x-euc-cn", Charset::Standard(GBK)),
    ("gbk", Charset::Standard(GBK)),
    ("x-gbk", Charset::Standard(GBK)),
    ("cp936", Charset::Standard(GBK)),
    ("ms936", Charset::Standard(GBK)),
    ("windows-936", Charset::Standard(GBK)),
    ("gb18030", Charset::Standard(GB18030)),
    // encoding_rs decodes Big5 with the HKSCS extensions, so every Big5
    // variant reads as Big5.
    ("big5", Charset::Standard(BIG5)),
    ("big-5", Charset::Standard(BIG5)),
    ("big5-hkscs", Charset::Standard(BIG5)),
    ("big5hkscs", Charset::Standard(BIG5)),
    ("cn-big5", Charset::Standard(BIG5)),
    ("csbig5", Charset::Standard(BIG5)),
    ("x-big5", Charset::Standard(BIG5)),
    ("x-x-big5", Charset::Standard(BIG5)),
    ("cp950", Charset::Standard(BIG5)),
    ("ms950", Charset::Standard(BIG5)),
    ("windows-950", Charset::Standard(BIG5)),
    // Japanese and Korean names used by Windows and old mailers.
    ("cp932", Charset::Standard(SHIFT_JIS)),
    ("ms932", Charset::Standard(SHIFT_JIS)),
    ("windows-932", Charset::Standard(SHIFT_JIS)),
    ("x-sjis", Charset::Standard(SHIFT_JIS)),
    ("iso-2022-jp-1", Charset::Standard(ISO_2022_JP)),
    ("iso-2022-jp-2", Charset::Standard(ISO_2022_JP)),
    ("x-euc-jp", Charset::Standard(EUC_JP)),
    ("ks_c_5601", Charset::Standard(EUC_KR)),
    ("ks_c_5601-1987", Charset::Standard(EUC_KR)),
    ("cp949", Charset::Standard(EUC_KR)),
    ("ms949", Charset::Standard(EUC_KR)),
    // Unicode names outside the WHATWG list.
    ("utf8", Charset::Standard(UTF_8)),
    ("utf-16", Charset::Standard(UTF_16LE)),
    ("ucs-2", Charset::Standard(UTF_16LE)),
    ("utf-16be", Charset::Standard(UTF_16BE)),
    ("utf-7", Charset::Utf7),
    ("utf7", Charset::Utf7),
    ("unicode-1-1-utf-7", Charset::Utf7),
    ("csunicode11utf7", Charset::Utf7),
    // ASCII and Latin-1 labels read as windows-1252, as browsers do: mail
    // labelled us-ascii or iso-8859-1 often carries Windows characters.
    ("us-ascii", Charset::Standard(WINDOWS_1252)),
    ("ascii", Charset::Standard(WINDOWS_1252)),
    ("iso-8859-1", Charset::Standard(WINDOWS_1252)),
    ("latin-1", Charset::Standard(WINDOWS_1252)),
    ("cp1252", Charset::Standard(WINDOWS_1252)),
];

/// Maximum label length looked up; longer labels are cut to this length.
const MAX_LABEL_LENGTH: usize = 64;

/// Shortest prefix tried when a label is not known as a whole.
const MIN_PREFIX_LENGTH: usize = 3;

/// Resolves a charset label, ignoring case, quotes and surrounding space.
///
/// A label that is not known as a whole resolves by its longest known
/// prefix, so `windows-1252http-equivContent-Type` reads as windows-1252.
/// Returns `None` for an empty or unknown label.
pub fn resolve(label: &str) -> Option<Charset> {
    let label = label.trim().trim_matches(|c| c == '"' || c == '\'').trim();
    let label: String = label
        .chars()
        .take(MAX_LABEL_LENGTH)
        .collect::<String>()
        .to_ascii_lowercase();
    if let Some(charset) = resolve_exact(&label) {
        return Some(charset);
    }
    (MIN_PREFIX_LENGTH..label.len())
        .rev()
        .filter(|&end| label.is_char_boundary(end))
        .find_map(|end| resolve_exact(&label[..end]))
}

fn resolve_exact(label: &str) -> Option<Charset> {
    if let Some((_, charset)) = ALIASES.iter().find(|(alias, _)| *alias == label) {
        return Some(*charset);
    }
    // Encoding::for_label maps the label "replacement" (and the labels of
    // ISO-2022-KR and HZ) to an encoding that decodes everything to U+FFFD.
    // Such a label in mail is a mistake, so it counts as unknown.
    Encoding::for_label_no_replacement(label.as_bytes()).map(Charset::Standard)
}

/// Decodes bytes in a known charset. A byte order mark overrides the
/// charset, as in browsers. Returns the text and whether any byte sequence
/// was invalid and replaced by U+FFFD.
pub fn decode(bytes: &[u8], charset: Charset) -> (String, bool) {
    match charset {
        Charset::Standard(encoding) => {
            let (text, _, had_errors) = encoding.decode(bytes);
            (text.into_owned(), had_errors)
        }
        Charset::Utf7 => {
            let text = match mail_parser::decoders::charsets::map::charset_decoder(b"utf-7") {
                Some(decoder) => decoder(bytes),
                None => String::from_utf8_lossy(bytes).into_owned(),
            };
            let had_errors = text.contains(char::REPLACEMENT_CHARACTER);
            (text, had_errors)
        }
    }
}

/// Guesses the charset of bytes that came without a label: UTF-8 when they
/// are valid UTF-8, else the guess of chardetng.
pub fn detect(bytes: &[u8]) -> &'static Encoding {
    if std::str::from_utf8(bytes).is_ok() {
        return UTF_8;
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Allow);
    detector.feed(bytes, true);
    detector.guess(None, chardetng::Utf8Detection::Allow)
}

/// Decodes bytes in `encoding` without a byte order mark check, or returns
/// `None` when any byte sequence is invalid in it.
pub fn decode_strict(bytes: &[u8], encoding: &'static Encoding) -> Option<String> {
    encoding
        .decode_without_bom_handling_and_without_replacement(bytes)
        .map(|text| text.into_owned())
}

/// Returns whether the bytes decode in `encoding` without errors. It
/// decodes through a small buffer, so a large input is not copied.
pub fn is_valid(bytes: &[u8], encoding: &'static Encoding) -> bool {
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let mut buffer = [0u8; 4096];
    let mut rest = bytes;
    loop {
        let (result, read, _written) =
            decoder.decode_to_utf8_without_replacement(rest, &mut buffer, true);
        rest = &rest[read..];
        match result {
            DecoderResult::InputEmpty => return true,
            DecoderResult::OutputFull => {}
            DecoderResult::Malformed(_, _) => return false,
        }
    }
}

/// Returns whether a charset is a legacy multi-byte East Asian encoding,
/// the kind whose text a wrong decode turns into Latin-1 mojibake.
fn is_east_asian_multibyte(encoding: &'static Encoding) -> bool {
    [BIG5, GBK, GB18030, SHIFT_JIS, EUC_JP, EUC_KR].contains(&encoding)
}

/// Repairs text that was East Asian bytes read as Latin-1 and then stored
/// as UTF-8: every character is in U+0000..U+00FF, and mapping each one back
/// to its byte gives valid text in `charset`.
///
/// Returns `None` when the text is not such mojibake, or when `charset` is
/// not a multi-byte East Asian charset.
pub fn repair_latin1_mojibake(text: &str, charset: Charset) -> Option<String> {
    let Charset::Standard(encoding) = charset else {
        return None;
    };
    if !is_east_asian_multibyte(encoding) || text.is_ascii() {
        return None;
    }
    let bytes = text
        .chars()
        .map(|c| u8::try_from(u32::from(c)).ok())
        .collect::<Option<Vec<u8>>>()?;
    let repaired = encoding.decode_without_bom_handling_and_without_replacement(&bytes)?;
    Some(repaired.into_owned())
}

/// Text decoded from a body part or header, with a remark when the
/// declared charset could not be used as it was.
pub struct Decoded {
    /// The decoded text.
    pub text: String,
    /// Remark on the charset used, when it was not the declared one.
    pub note: Option<String>,
}

/// Decodes bytes that came with an optional charset label.
///
/// - A known label decodes as that charset, except that bytes which are
///   Latin-1 mojibake of an East Asian label are repaired first, and bytes
///   that are invalid in that charset but valid UTF-8 read as UTF-8.
/// - A missing label reads valid UTF-8 as UTF-8, else uses `hint` (the
///   charset found for other text of the same message), else detects the
///   charset from the bytes.
/// - An unknown label detects the charset and reports that in the note.
pub fn decode_labelled(bytes: &[u8], label: Option<&str>, hint: Option<Charset>) -> Decoded {
    let label = label.map(str::trim).filter(|label| !label.is_empty());
    let Some(label) = label else {
        if let Some(hint) = hint
            && std::str::from_utf8(bytes).is_err()
        {
            let (text, _) = decode(bytes, hint);
            return Decoded {
                text,
                note: Some(format!(
                    "The text declares no charset, so it was read as {}, the charset of the raw header text.",
                    name(hint)
                )),
            };
        }
        return decode_detected(bytes, None);
    };
    let Some(charset) = resolve(label) else {
        return decode_detected(bytes, Some(label));
    };
    if let Ok(utf8) = std::str::from_utf8(bytes)
        && let Some(repaired) = repair_latin1_mojibake(utf8, charset)
    {
        return Decoded {
            text: repaired,
            note: Some(format!(
                "The text was {label} bytes stored as Latin-1 mojibake, so it was converted back."
            )),
        };
    }
    let (text, had_errors) = decode(bytes, charset);
    if had_errors && let Ok(utf8) = std::str::from_utf8(bytes) {
        return Decoded {
            text: utf8.to_string(),
            note: Some(format!(
                "The text is labelled {label} but is not valid {}. It is valid UTF-8, so it was read as UTF-8.",
                name(charset)
            )),
        };
    }
    Decoded { text, note: None }
}

/// Returns the name of a charset as encoding_rs spells it.
pub fn name(charset: Charset) -> &'static str {
    match charset {
        Charset::Standard(encoding) => encoding.name(),
        Charset::Utf7 => "UTF-7",
    }
}

fn decode_detected(bytes: &[u8], unknown_label: Option<&str>) -> Decoded {
    let encoding = detect(bytes);
    let (text, _) = decode(bytes, Charset::Standard(encoding));
    let note = match unknown_label {
        Some(label) => Some(format!(
            "The charset {label:?} is unknown, so the text was read as {}, detected from its bytes.",
            encoding.name()
        )),
        None if encoding != UTF_8 && !bytes.is_ascii() => Some(format!(
            "The text declares no charset, so it was read as {}, detected from its bytes.",
            encoding.name()
        )),
        None => None,
    };
    Decoded { text, note }
}

#[cfg(test)]
mod tests {
    use super::*;
    use encoding_rs::{IBM866, KOI8_R, WINDOWS_1251};

    #[test]
    fn alias_table_resolves_real_labels() {
        let cases: &[(&str, Charset)] = &[
            ("gb2312", Charset::Standard(GBK)),
            ("GB2312", Charset::Standard(GBK)),
            ("\"gb2312\"", Charset::Standard(GBK)),
            ("x-gbk", Charset::Standard(GBK)),
            ("cp936", Charset::Standard(GBK)),
            ("euc-cn", Charset::Standard(GBK)),
            ("gb18030", Charset::Standard(GB18030)),
            ("big5", Charset::Standard(BIG5)),
            ("Big5-HKSCS", Charset::Standard(BIG5)),
            ("x-x-big5", Charset::Standard(BIG5)),
            ("cn-big5", Charset::Standard(BIG5)),
            ("big5hkscs", Charset::Standard(BIG5)),
            ("ks_c_5601-1987", Charset::Standard(EUC_KR)),
            ("cp932", Charset::Standard(SHIFT_JIS)),
            ("ISO-2022-JP", Charset::Standard(ISO_2022_JP)),
            ("utf8", Charset::Standard(UTF_8)),
            ("UTF-8", Charset::Standard(UTF_8)),
            ("utf-7", Charset::Utf7),
            ("utf7", Charset::Utf7),
            ("us-ascii", Charset::Standard(WINDOWS_1252)),
            ("iso-8859-1", Charset::Standard(WINDOWS_1252)),
            ("koi8-r", Charset::Standard(KOI8_R)),
            ("windows-1251", Charset::Standard(WINDOWS_1251)),
            ("cp866", Charset::Standard(IBM866)),
        ];
        for (label, expected) in cases {
            assert_eq!(resolve(label), Some(*expected), "label {label:?}");
        }
    }

    #[test]
    fn alias_table_resolves_garbage_by_prefix() {
        assert_eq!(
            resolve("windows-1252http-equivContent-Type"),
            Some(Charset::Standard(WINDOWS_1252))
        );
        assert_eq!(
            resolve("gb2312;format=flowed"),
            Some(Charset::Standard(GBK))
        );
        assert_eq!(resolve("big5\u{3000}"), Some(Charset::Standard(BIG5)));
    }

    #[test]
    fn alias_table_rejects_unknown_labels() {
        for label in [
            "",
            "  ",
            "unknown-8bit",
            "x-unknown",
            "replacement",
            "hz-gb-2312",
            "ab",
        ] {
            assert_eq!(resolve(label), None, "label {label:?}");
        }
    }

    #[test]
    fn alias_table_entries_resolve_to_themselves() {
        let mut seen = std::collections::HashSet::new();
        for (alias, charset) in ALIASES {
            assert_eq!(
                *alias,
                alias.to_ascii_lowercase(),
                "alias {alias:?} is not lower case"
            );
            assert!(seen.insert(*alias), "alias {alias:?} is listed twice");
            assert_eq!(resolve(alias), Some(*charset), "alias {alias:?}");
        }
    }

    #[test]
    fn alias_table_names_encodings_as_encoding_rs() {
        let cases = [
            ("gb2312", "GBK"),
            ("GB_2312-80", "GBK"),
            ("gbk", "GBK"),
            ("gb18030", "gb18030"),
            ("big5", "Big5"),
            ("big5-hkscs", "Big5"),
            ("ks_c_5601-1987", "EUC-KR"),
            ("ks_c_5601-1989", "EUC-KR"),
            ("shift_jis", "Shift_JIS"),
            ("utf-7", "UTF-7"),
            ("utf7", "UTF-7"),
            ("UNICODE-1-1-UTF-7", "UTF-7"),
            ("windows-1252http-equiv", "windows-1252"),
        ];
        for (label, expected) in cases {
            let charset = resolve(label).unwrap_or_else(|| panic!("label {label:?} is unknown"));
            assert_eq!(name(charset), expected, "label {label:?}");
        }
    }

    #[test]
    fn gb2312_label_decodes_gb18030_four_byte_sequences() {
        // The WHATWG Encoding Standard decodes GBK with the gb18030 decoder,
        // so mail labelled gb2312 keeps characters only GB18030 encodes.
        let four_byte = b"\x81\x30\x81\x30";
        for label in ["gb2312", "gbk", "gb18030"] {
            let (text, had_errors) = decode(four_byte, resolve(label).unwrap());
            assert!(!had_errors, "label {label:?}");
            assert_eq!(text, "\u{80}", "label {label:?}");
        }
    }

    #[test]
    fn big5_label_decodes_hkscs_characters() {
        // 0x8862 is an HKSCS character outside plain Big5, which WHATWG
        // decodes to two code points.
        let (text, had_errors) = decode(b"\x88\x62", resolve("big5").unwrap());
        assert!(!had_errors);
        assert_eq!(text, "\u{00CA}\u{0304}");
    }

    #[test]
    fn utf7_decodes_rfc2152_examples() {
        let charset = resolve("utf-7").unwrap();
        assert_eq!(decode(b"Hi Mom -+Jjo--!", charset).0, "Hi Mom -\u{263A}-!");
        assert_eq!(decode(b"+ZeVnLIqe-", charset).0, "日本語");
    }

    #[test]
    fn validity_check_spans_buffer_refills() {
        let text = "客服".repeat(5000);
        let (gbk, _, _) = GB18030.encode(&text);
        assert!(gbk.len() > 4096 * 2);
        assert!(is_valid(&gbk, GB18030));

        let mut truncated = gbk.into_owned();
        truncated.pop();
        assert!(!is_valid(&truncated, GB18030), "a cut-off last character");
    }

    #[test]
    fn gb2312_label_decodes_gbk_only_bytes() {
        // 0xA960 and 0x94A1 are outside GB2312 but inside GBK.
        let charset = resolve("gb2312").unwrap();
        let (text, had_errors) = decode(b"\xa9\x60\x94\xa1", charset);
        assert!(!had_errors);
        assert_eq!(text, "\u{30FC}\u{6557}");
    }

    #[test]
    fn detect_reads_koi8_bytes_as_cyrillic() {
        let encoding = detect(b"\xd4\xc5\xd3\xd4 \xd4\xc5\xd3\xd4");
        let (text, _) = decode(b"\xd4\xc5\xd3\xd4", Charset::Standard(encoding));
        assert_eq!(text, "тест");
    }

    #[test]
    fn decode_labelled_uses_hint_for_unlabelled_bytes() {
        let koi8 = Some(Charset::Standard(KOI8_R));
        assert_eq!(
            decode_labelled(b"\xd4\xc5\xd3\xd4", None, koi8).text,
            "тест"
        );
        assert_eq!(decode_labelled("тест".as_bytes(), None, koi8).text, "тест");
        assert_eq!(
            decode_labelled(b"\xd4", Some("windows-1251"), koi8).text,
            "Ф"
        );
    }

    #[test]
    fn decode_labelled_prefers_utf8_over_invalid_label() {
        let decoded = decode_labelled("エラー".as_bytes(), Some("iso-2022-jp"), None);
        assert_eq!(decoded.text, "エラー");
        assert!(decoded.note.unwrap().contains("UTF-8"));
    }

    #[test]
    fn mojibake_repair_restores_big5() {
        // "大家" in Big5 is A4 6A AE 61, read as Latin-1.
        let mojibake = "\u{a4}j\u{ae}a";
        let repaired = repair_latin1_mojibake(mojibake, Charset::Standard(BIG5));
        assert_eq!(repaired.as_deref(), Some("大家"));
    }

    #[test]
    fn mojibake_repair_leaves_real_latin1_alone() {
        assert_eq!(
            repair_latin1_mojibake("Café", Charset::Standard(BIG5)),
            None
        );
        assert_eq!(
            repair_latin1_mojibake("plain", Charset::Standard(BIG5)),
            None
        );
        assert_eq!(
            repair_latin1_mojibake("\u{a4}j", Charset::Standard(UTF_8)),
            None
        );
    }

    #[test]
    fn decode_labelled_notes_unknown_label() {
        let decoded = decode_labelled("tæst".as_bytes(), Some("x-nonsense"), None);
        assert_eq!(decoded.text, "tæst");
        assert!(decoded.note.unwrap().contains("x-nonsense"));
    }
}
