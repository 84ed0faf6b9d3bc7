//! The attachment list of a message.

use kefu_plugin_sdk::adapter::kefu::plugin::types::Attachment;
use mail_parser::{Encoding, HeaderName, MessagePart, MimeHeaders, PartType};

use crate::mime_params::decoded_parameter;

/// Lists the parts mail-parser counts as attachments, with decoded file
/// names, MIME types and decoded sizes.
pub fn attachments(message: &mail_parser::Message) -> Vec<Attachment> {
    message
        .attachments
        .iter()
        .filter_map(|&id| message.parts.get(id as usize))
        .filter(|part| !matches!(part.body, PartType::Multipart(_)))
        .map(|part| Attachment {
            file_name: file_name(message, part),
            content_type: content_type(part),
            size: size(part),
        })
        .collect()
}

/// Reads the file name from `Content-Disposition: …; filename=` or, failing
/// that, `Content-Type: …; name=`, decoding RFC 2231 and RFC 2047 forms.
fn file_name(message: &mail_parser::Message, part: &MessagePart) -> String {
    let from_header = |header: HeaderName, parameter: &str| {
        let raw = raw_header_value(message, part, &header)?;
        decoded_parameter(raw, parameter).filter(|name| !name.is_empty())
    };
    from_header(HeaderName::ContentDisposition, "filename")
        .or_else(|| from_header(HeaderName::ContentType, "name"))
        .unwrap_or_default()
}

fn raw_header_value<'m>(
    message: &'m mail_parser::Message,
    part: &MessagePart,
    name: &HeaderName,
) -> Option<&'m str> {
    let header = part.headers.iter().find(|header| &header.name == name)?;
    let raw = message
        .raw_message
        .get(header.offset_start as usize..header.offset_end as usize)?;
    std::str::from_utf8(raw).ok()
}

/// Returns the part's MIME type in lower case; a part without one is
/// `text/plain`, the MIME default (RFC 2045).
fn content_type(part: &MessagePart) -> String {
    match part.content_type() {
        Some(content_type) => match content_type.subtype() {
            Some(subtype) => format!("{}/{}", content_type.ctype(), subtype).to_ascii_lowercase(),
            None => content_type.ctype().to_ascii_lowercase(),
        },
        None if matches!(part.body, PartType::Message(_)) => "message/rfc822".to_string(),
        None => "text/plain".to_string(),
    }
}

/// Returns the decoded size in bytes. For an attached message, that is the
/// size of the message within the part.
fn size(part: &MessagePart) -> u64 {
    let length = match &part.body {
        PartType::Text(text) | PartType::Html(text) => text.len(),
        PartType::Binary(bytes) | PartType::InlineBinary(bytes) => bytes.len(),
        // mail-parser gives a nested message that is not transfer-encoded
        // the whole outer message as its raw bytes, so the part's own
        // offsets measure it. An encoded one gets its decoded bytes.
        PartType::Message(_) if part.encoding == Encoding::None => {
            (part.offset_end as usize).saturating_sub(part.offset_body as usize)
        }
        PartType::Message(nested) => nested.raw_message.len(),
        PartType::Multipart(_) => 0,
    };
    length as u64
}
