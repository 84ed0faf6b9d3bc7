//! RFC 2047 encoded words in unstructured header text such as Subject.
//!
//! mail-parser decodes each encoded word on its own, which breaks a
//! character whose bytes a mailer split across two words. This decoder joins
//! the bytes of adjacent words in the same charset before decoding them.

use kefu_charset::{self as charset, Charset};

/// One piece of a header value: plain text or the bytes of an encoded word.
enum Piece<'a> {
    Text(&'a str),
    Word { charset: &'a str, bytes: Vec<u8> },
}

/// Decodes an unstructured header value: unfolds it, decodes encoded words
/// and trims surrounding space. Text outside encoded words is kept as it is.
pub fn decode_unstructured(raw: &str) -> String {
    let unfolded = unfold(raw);
    let pieces = split_pieces(&unfolded);
    let mut output = String::with_capacity(unfolded.len());
    let mut index = 0;
    while index < pieces.len() {
        match &pieces[index] {
            Piece::Text(text) => {
                output.push_str(text);
                index += 1;
            }
            Piece::Word { charset, .. } => {
                // Join the bytes of the following words in the same charset,
                // skipping the white space that RFC 2047 says to drop between
                // adjacent encoded words.
                let mut bytes = Vec::new();
                let mut end = index;
                while end < pieces.len() {
                    match &pieces[end] {
                        Piece::Word {
                            charset: next,
                            bytes: next_bytes,
                        } if next.eq_ignore_ascii_case(charset) => {
                            bytes.extend_from_slice(next_bytes);
                            end += 1;
                        }
                        Piece::Text(space)
                            if is_blank(space)
                                && is_word_with_charset(pieces.get(end + 1), charset) =>
                        {
                            end += 1;
                        }
                        _ => break,
                    }
                }
                output.push_str(&decode_word_bytes(&bytes, charset));
                index = end;
                // White space between words in different charsets is dropped too.
                if let Some(Piece::Text(space)) = pieces.get(index)
                    && is_blank(space)
                    && matches!(pieces.get(index + 1), Some(Piece::Word { .. }))
                {
                    index += 1;
                }
            }
        }
    }
    clean_header_text(&output)
}

fn is_blank(text: &str) -> bool {
    text.chars().all(|c| c == ' ' || c == '\t')
}

fn is_word_with_charset(piece: Option<&Piece>, charset: &str) -> bool {
    matches!(piece, Some(Piece::Word { charset: next, .. }) if next.eq_ignore_ascii_case(charset))
}

/// Removes header folding: a line break followed by white space.
pub fn unfold(raw: &str) -> String {
    let mut output = String::with_capacity(raw.len());
    for (index, line) in raw.split('\n').enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if index > 0 && !line.starts_with([' ', '\t']) {
            // A line break without white space after it is not folding, but
            // the header text is all one logical line, so keep a space.
            output.push(' ');
        }
        output.push_str(line);
    }
    output
}

/// Replaces control characters by spaces (tabs included) or drops them
/// (NUL and the like), then trims the text.
pub fn clean_header_text(text: &str) -> String {
    let cleaned: String = text
        .chars()
        .filter_map(|c| match c {
            '\t' | '\r' | '\n' => Some(' '),
            c if c.is_control() => None,
            c => Some(c),
        })
        .collect();
    cleaned.trim().to_string()
}

fn split_pieces(text: &str) -> Vec<Piece<'_>> {
    let mut pieces = Vec::new();
    let mut text_start = 0;
    let mut search_from = 0;
    while let Some(offset) = text[search_from..].find("=?") {
        let start = search_from + offset;
        match parse_word(&text[start..]) {
            Some((charset, bytes, length)) => {
                if text_start < start {
                    pieces.push(Piece::Text(&text[text_start..start]));
                }
                pieces.push(Piece::Word { charset, bytes });
                text_start = start + length;
                search_from = text_start;
            }
            None => search_from = start + 2,
        }
    }
    if text_start < text.len() {
        pieces.push(Piece::Text(&text[text_start..]));
    }
    pieces
}

/// Parses an encoded word at the start of `text`. Returns its charset
/// label (without an RFC 2231 language suffix), its decoded bytes and its
/// length in `text`.
fn parse_word(text: &str) -> Option<(&str, Vec<u8>, usize)> {
    let rest = text.strip_prefix("=?")?;
    let charset_end = rest.find('?')?;
    let charset = &rest[..charset_end];
    if charset.is_empty() || charset.contains([' ', '\t']) {
        return None;
    }
    let charset = charset.split('*').next().unwrap_or(charset);
    let rest = &rest[charset_end + 1..];
    let is_base64 = match rest.as_bytes() {
        [b'q' | b'Q', b'?', ..] => false,
        [b'b' | b'B', b'?', ..] => true,
        _ => return None,
    };
    // "=?", the charset, "?", the encoding letter and "?".
    let encoded_start = 2 + charset_end + 3;
    let encoded_text = &text[encoded_start..];
    let encoded_end = encoded_text.find("?=")?;
    let encoded = &encoded_text[..encoded_end];
    let bytes = if is_base64 {
        decode_b(encoded)?
    } else {
        decode_q(encoded)
    };
    Some((charset, bytes, encoded_start + encoded_end + 2))
}

/// Decodes the "Q" encoding: `_` is a space and `=XX` a byte. A malformed
/// escape is kept as it is.
fn decode_q(encoded: &str) -> Vec<u8> {
    let bytes = encoded.as_bytes();
    let mut output = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        match bytes[index] {
            b'_' => output.push(b' '),
            b'=' => {
                let escaped = bytes
                    .get(index + 1..index + 3)
                    .filter(|hex| hex.iter().all(u8::is_ascii_hexdigit))
                    .and_then(|hex| std::str::from_utf8(hex).ok())
                    .and_then(|hex| u8::from_str_radix(hex, 16).ok());
                match escaped {
                    Some(byte) => {
                        output.push(byte);
                        index += 2;
                    }
                    None => output.push(b'='),
                }
            }
            byte => output.push(byte),
        }
        index += 1;
    }
    output
}

/// Decodes the "B" encoding (base64), tolerating missing padding.
fn decode_b(encoded: &str) -> Option<Vec<u8>> {
    let mut text: String = encoded.chars().filter(|c| !c.is_whitespace()).collect();
    while !text.len().is_multiple_of(4) {
        text.push('=');
    }
    mail_parser::decoders::base64::base64_decode(text.as_bytes())
}

/// Decodes the joined bytes of encoded words. An unknown charset label is
/// read as UTF-8 when the bytes are valid UTF-8, else as the detected charset.
fn decode_word_bytes(bytes: &[u8], label: &str) -> String {
    let charset = charset::resolve(label).unwrap_or(Charset::Standard(charset::detect(bytes)));
    charset::decode(bytes, charset).0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_kept() {
        assert_eq!(decode_unstructured("  Hello, world  "), "Hello, world");
    }

    #[test]
    fn space_between_words_is_dropped() {
        let raw = "=?UTF-8?Q?=D8=A3=D9=87?= =?UTF-8?Q?=D9=84_?=";
        assert_eq!(decode_unstructured(raw), "أهل");
    }

    #[test]
    fn text_around_words_is_kept() {
        let raw = "Client =?ISO-2022-JP?B?Pw==?= Japanese";
        assert_eq!(decode_unstructured(raw), "Client ? Japanese");
    }

    #[test]
    fn split_utf8_character_is_joined() {
        assert_eq!(
            decode_unstructured("=?utf-8?q?=e2?==?utf-8?q?=98?==?utf-8?q?=ba?="),
            "☺"
        );
    }

    #[test]
    fn folded_words_are_joined() {
        let raw = "=?gb2312?B?tPC4tDog?=\r\n =?gb2312?Q?e_VMEMMAP?=";
        assert_eq!(decode_unstructured(raw), "答复: e VMEMMAP");
    }

    #[test]
    fn unknown_charset_falls_back_to_prefix() {
        let raw = "=?windows-1252http-equivContent-Type?Q?Orange_m=E9canique?=";
        assert_eq!(decode_unstructured(raw), "Orange mécanique");
    }

    #[test]
    fn malformed_words_stay_literal() {
        assert_eq!(decode_unstructured("=?utf-8?x?abc?="), "=?utf-8?x?abc?=");
        assert_eq!(
            decode_unstructured("=?utf-8?q?unterminated"),
            "=?utf-8?q?unterminated"
        );
        assert_eq!(decode_unstructured("=?"), "=?");
        assert_eq!(decode_unstructured("a =?? b"), "a =?? b");
    }

    #[test]
    fn base64_without_padding_decodes() {
        assert_eq!(decode_unstructured("=?utf-8?b?w6Q?="), "ä");
    }

    #[test]
    fn control_characters_are_removed() {
        assert_eq!(
            decode_unstructured("Error\u{0} message\tnow"),
            "Error message now"
        );
    }
}
