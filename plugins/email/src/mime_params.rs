//! MIME header parameters (RFC 2045) with RFC 2231 continuations and
//! charsets, for attachment file names.
//!
//! mail-parser applies the charset of an RFC 2231 value to its first
//! segment only, so a name split into several percent-encoded ISO-2022-JP
//! segments comes out half decoded. This module reassembles the bytes of all
//! segments first and decodes them once.

use crate::encoded_word::{clean_header_text, decode_unstructured, unfold};
use kefu_charset as charset;

/// One `name=value` parameter as written, before continuations are joined.
struct Parameter {
    /// Parameter name without the RFC 2231 section and `*` marks, lower case.
    name: String,
    /// Section number of a continuation (`name*0`, `name*1*`, …).
    section: Option<u32>,
    /// Whether the value is percent-encoded (`name*` or `name*0*`).
    extended: bool,
    value: String,
}

/// Reads a parameter from a raw Content-Type or Content-Disposition value
/// and decodes it to text. RFC 2231 sections are joined and decoded with
/// their charset. A plain value has its encoded words decoded, because many
/// mailers put RFC 2047 words inside quoted file names.
pub fn decoded_parameter(raw_header_value: &str, name: &str) -> Option<String> {
    let parameters = parse_parameters(&unfold(raw_header_value));
    let matching: Vec<&Parameter> = parameters
        .iter()
        .filter(|parameter| parameter.name.eq_ignore_ascii_case(name))
        .collect();

    let mut sections: Vec<&Parameter> = matching
        .iter()
        .copied()
        .filter(|parameter| parameter.section.is_some())
        .collect();
    if !sections.is_empty() {
        sections.sort_by_key(|parameter| parameter.section);
        return Some(join_sections(&sections));
    }
    if let Some(parameter) = matching.iter().find(|parameter| parameter.extended) {
        return Some(join_sections(&[parameter]));
    }
    matching
        .first()
        .map(|parameter| decode_unstructured(&parameter.value))
}

/// Joins RFC 2231 sections in order. The charset named in the first
/// extended section applies to the bytes of all sections.
fn join_sections(sections: &[&Parameter]) -> String {
    let mut bytes = Vec::new();
    let mut label = None;
    for (index, parameter) in sections.iter().enumerate() {
        if !parameter.extended {
            bytes.extend_from_slice(parameter.value.as_bytes());
            continue;
        }
        let mut value = parameter.value.as_str();
        if index == 0 {
            // charset'language'value; both parts before the value may be empty.
            let mut parts = value.splitn(3, '\'');
            if let (Some(charset), Some(_language), Some(rest)) =
                (parts.next(), parts.next(), parts.next())
            {
                label = Some(charset.to_string()).filter(|charset| !charset.is_empty());
                value = rest;
            }
        }
        bytes.extend(percent_decode(value));
    }
    let decoded = charset::decode_labelled(&bytes, label.as_deref(), None);
    clean_header_text(&decoded.text)
}

fn percent_decode(value: &str) -> Vec<u8> {
    let bytes = value.as_bytes();
    let mut output = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let escaped = if bytes[index] == b'%' {
            bytes
                .get(index + 1..index + 3)
                .filter(|hex| hex.iter().all(u8::is_ascii_hexdigit))
                .and_then(|hex| std::str::from_utf8(hex).ok())
                .and_then(|hex| u8::from_str_radix(hex, 16).ok())
        } else {
            None
        };
        match escaped {
            Some(byte) => {
                output.push(byte);
                index += 3;
            }
            None => {
                output.push(bytes[index]);
                index += 1;
            }
        }
    }
    output
}

/// Splits an unfolded header value into its parameters, skipping the
/// leading type (`attachment`, `text/plain`).
fn parse_parameters(value: &str) -> Vec<Parameter> {
    let mut parameters = Vec::new();
    let Some(first_semicolon) = value.find(';') else {
        return parameters;
    };
    let mut rest = &value[first_semicolon + 1..];
    loop {
        rest = rest.trim_start_matches(|c: char| c == ';' || c.is_whitespace());
        if rest.is_empty() {
            break;
        }
        let name_end = rest.find(['=', ';']).unwrap_or(rest.len());
        let raw_name = rest[..name_end].trim();
        rest = &rest[name_end..];
        let Some(after_equals) = rest.strip_prefix('=') else {
            continue;
        };
        let (value, remainder) = read_value(after_equals.trim_start());
        rest = remainder;
        if let Some(parameter) = parameter_from(raw_name, value) {
            parameters.push(parameter);
        }
    }
    parameters
}

/// Reads a quoted string or a token; returns the value and the rest.
fn read_value(text: &str) -> (String, &str) {
    if let Some(quoted) = text.strip_prefix('"') {
        let mut value = String::new();
        let mut chars = quoted.char_indices();
        while let Some((index, c)) = chars.next() {
            match c {
                '"' => return (value, &quoted[index + 1..]),
                '\\' => {
                    if let Some((_, escaped)) = chars.next() {
                        value.push(escaped);
                    }
                }
                c => value.push(c),
            }
        }
        // An unterminated quote runs to the end of the header.
        return (value, "");
    }
    let end = text.find([';', ' ', '\t']).unwrap_or(text.len());
    (text[..end].to_string(), &text[end..])
}

fn parameter_from(raw_name: &str, value: String) -> Option<Parameter> {
    if raw_name.is_empty() {
        return None;
    }
    let (raw_name, extended) = match raw_name.strip_suffix('*') {
        Some(stripped) => (stripped, true),
        None => (raw_name, false),
    };
    let (name, section) = match raw_name.split_once('*') {
        Some((name, section)) => (name, Some(section.parse::<u32>().ok()?)),
        None => (raw_name, None),
    };
    Some(Parameter {
        name: name.to_ascii_lowercase(),
        section,
        extended,
        value,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_filename_is_read() {
        let raw = "attachment; filename=\"report.pdf\"";
        assert_eq!(
            decoded_parameter(raw, "filename").as_deref(),
            Some("report.pdf")
        );
    }

    #[test]
    fn token_filename_is_read() {
        let raw = "inline; filename=file.pdf; size=3";
        assert_eq!(
            decoded_parameter(raw, "filename").as_deref(),
            Some("file.pdf")
        );
    }

    #[test]
    fn continuations_share_first_charset() {
        let raw = "inline;\r\n filename*0*=ISO-2022-JP'ja'%1b$B%3f7$7$$%25F%25%2d%259%25H%1b%28B;\r\n \
                   filename*1*=%20;\r\n filename*2*=%1b$B%25I%25%2d%25e%25a%25s%25H%1b%28B;\r\n filename*3=.txt";
        assert_eq!(
            decoded_parameter(raw, "filename").as_deref(),
            Some("新しいテキスト ドキュメント.txt")
        );
    }

    #[test]
    fn extended_value_without_sections() {
        let raw = "attachment; filename*=UTF-8''%E6%8A%A5%E4%BB%B7.pdf";
        assert_eq!(
            decoded_parameter(raw, "filename").as_deref(),
            Some("报价.pdf")
        );
    }

    #[test]
    fn encoded_word_in_quotes_is_decoded() {
        let raw = "text/plain; name=\"=?UTF-8?B?5oql5Lu3LnBkZg==?=\"";
        assert_eq!(decoded_parameter(raw, "name").as_deref(), Some("报价.pdf"));
    }

    #[test]
    fn missing_parameter_is_none() {
        assert_eq!(decoded_parameter("attachment", "filename"), None);
        assert_eq!(decoded_parameter("attachment; size=10", "filename"), None);
    }

    #[test]
    fn unterminated_quote_does_not_panic() {
        assert_eq!(
            decoded_parameter("a; filename=\"abc", "filename").as_deref(),
            Some("abc")
        );
        assert_eq!(decoded_parameter("a; filename*x*=%", "filename"), None);
        assert_eq!(
            decoded_parameter("a; filename*0*=%e", "filename").as_deref(),
            Some("%e")
        );
    }
}
