//! Attachment content: extracting it from stored mail, and naming the file
//! an attachment is saved to.
//!
//! Adapters list attachments (name, MIME type, size) but do not return their
//! bytes, because the raw input is stored anyway. For mail, the host parses
//! the message's raw bytes again with mail-parser 0.11, the parser and
//! version the email adapter lists attachments with, and takes the same
//! parts in the same order.

use std::path::{Path, PathBuf};

use anyhow::Context;
use mail_parser::{Encoding, MessageParser, MessagePart, PartType};

use crate::Store;

/// Maximum length of a saved file's name, in bytes, below the 255-byte limit
/// of common Linux, macOS and Windows file systems.
const MAX_FILE_NAME_BYTES: usize = 200;

/// Returns the decoded content of every attachment of a raw RFC 5322
/// message, in the order the email adapter lists them. Text parts are
/// returned as the UTF-8 text the adapter measured.
pub fn extract_mail_attachments(raw: &[u8]) -> Vec<Vec<u8>> {
    let Some(message) = MessageParser::default().parse(raw) else {
        return Vec::new();
    };
    message
        .attachments
        .iter()
        .filter_map(|&id| message.parts.get(id as usize))
        .filter(|part| !matches!(part.body, PartType::Multipart(_)))
        .map(|part| part_content(&message, part))
        .collect()
}

fn part_content(message: &mail_parser::Message, part: &MessagePart) -> Vec<u8> {
    match &part.body {
        PartType::Text(text) | PartType::Html(text) => text.as_bytes().to_vec(),
        PartType::Binary(bytes) | PartType::InlineBinary(bytes) => bytes.to_vec(),
        // A nested message that is not transfer-encoded is the part's own
        // slice of the outer message; an encoded one has decoded bytes.
        PartType::Message(_) if part.encoding == Encoding::None => message
            .raw_message
            .get(part.offset_body as usize..part.offset_end as usize)
            .unwrap_or_default()
            .to_vec(),
        PartType::Message(nested) => nested.raw_message.to_vec(),
        PartType::Multipart(_) => Vec::new(),
    }
}

/// Writes an attachment's content into `folder`, creating the folder, and
/// returns the file's path. The file is named `ID-NAME`, with NAME made
/// safe by [`safe_file_name`], so it always lands in `folder` and never
/// replaces another attachment's file.
pub fn write_to_folder(store: &mut Store, id: i64, folder: &Path) -> anyhow::Result<PathBuf> {
    let attachment = store.attachment(id)?.with_context(|| {
        format!("attachment {id} not found; list a message's attachments with `kefu attachments MESSAGE`")
    })?;
    let content = store.attachment_content(id)?;
    std::fs::create_dir_all(folder)
        .with_context(|| format!("creating the folder {}", folder.display()))?;
    let path = folder.join(format!(
        "{id}-{}",
        safe_file_name(&attachment.file_name, id)
    ));
    std::fs::write(&path, content)
        .with_context(|| format!("writing attachment {id} to {}", path.display()))?;
    Ok(path)
}

/// Turns an attachment's file name from a mail into a name that is safe to
/// create in a folder: path separators, `..`, control characters, bidi
/// controls and the characters Windows forbids become `_`, leading dots and
/// trailing dots and spaces are dropped, and the name is cut to 200 bytes
/// keeping its extension. An empty result becomes `attachment-ID`.
pub fn safe_file_name(name: &str, attachment_id: i64) -> String {
    let replaced: String = name
        .chars()
        .map(|c| {
            let forbidden = matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|');
            if c.is_control() || is_bidi_control(c) || forbidden {
                '_'
            } else {
                c
            }
        })
        .collect();
    let replaced = replaced.replace("..", "_");
    let trimmed = replaced
        .trim_start_matches(['.', ' '])
        .trim_end_matches(['.', ' ']);
    let cut = cut_keeping_extension(trimmed, MAX_FILE_NAME_BYTES);
    if cut.trim_matches('_').is_empty() {
        format!("attachment-{attachment_id}")
    } else {
        cut
    }
}

/// Returns whether `c` changes the direction of the text around it. Such a
/// character can make `invoice\u{202E}fdp.exe` show as `invoiceexe.pdf`.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Cuts `name` to at most `max_bytes` on a character boundary, keeping an
/// extension of up to 16 bytes.
fn cut_keeping_extension(name: &str, max_bytes: usize) -> String {
    if name.len() <= max_bytes {
        return name.to_string();
    }
    let extension = name
        .rfind('.')
        .map(|dot| &name[dot..])
        .filter(|extension| extension.len() <= 16)
        .unwrap_or("");
    let mut end = max_bytes - extension.len();
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}{extension}", &name[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_name_strips_path_parts() {
        assert_eq!(safe_file_name("../../etc/passwd", 1), "____etc_passwd");
        assert_eq!(safe_file_name("..\\..\\boot.ini", 1), "____boot.ini");
        assert_eq!(safe_file_name("/tmp/x.pdf", 1), "_tmp_x.pdf");
        assert_eq!(safe_file_name("a/../b.txt", 1), "a___b.txt");
    }

    #[test]
    fn safe_name_replaces_control_characters() {
        assert_eq!(safe_file_name("in\nvoice\u{0}.pdf", 1), "in_voice_.pdf");
        assert_eq!(safe_file_name("name\u{7f}.txt", 1), "name_.txt");
    }

    #[test]
    fn safe_name_replaces_bidi_controls() {
        assert_eq!(
            safe_file_name("invoice\u{202E}fdp.exe", 1),
            "invoice_fdp.exe"
        );
        assert_eq!(safe_file_name("a\u{2066}b\u{2069}.txt", 1), "a_b_.txt");
    }

    #[test]
    fn nested_message_without_boundary_extracts() {
        // Found by the email_parse fuzz target: mail-parser 0.11.9 reached a
        // debug assertion on it, which panicked in debug builds.
        let mail = b"Content-Type:multipart;boundary=00000000000093475906390e1e9b\n\n\
--00000000000093475906390e1e9bContent-Type:message/rfc822\n\n\
Content-Type:message/rfc822\n\n\n\
--00000000000093475906390e1e9b--";
        assert!(extract_mail_attachments(mail).len() <= 2);
    }

    #[test]
    fn safe_name_keeps_chinese() {
        assert_eq!(safe_file_name("发票 2026.pdf", 1), "发票 2026.pdf");
    }

    #[test]
    fn safe_name_falls_back_to_id() {
        assert_eq!(safe_file_name("", 7), "attachment-7");
        assert_eq!(safe_file_name("..", 7), "attachment-7");
        assert_eq!(safe_file_name("/", 7), "attachment-7");
        assert_eq!(safe_file_name(". . .", 7), "attachment-7");
    }

    #[test]
    fn safe_name_cuts_long_names_keeping_extension() {
        let name = format!("{}.pdf", "发".repeat(100));
        let safe = safe_file_name(&name, 1);
        assert!(safe.len() <= MAX_FILE_NAME_BYTES, "{} bytes", safe.len());
        assert!(safe.ends_with(".pdf"));
        assert!(safe.starts_with('发'));
    }
}
