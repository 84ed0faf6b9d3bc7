//! Attachments: content stored once per SHA-256 hash, and the link from
//! each message to its attachments.

use anyhow::Context;
use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};

use super::Store;
use super::write::Writer;
use crate::attachments::extract_mail_attachments;
use crate::model::{Channel, IncomingMessage};

/// One attachment of a stored message.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StoredAttachment {
    pub id: i64,
    pub message_id: i64,
    pub file_name: String,
    pub content_type: String,
    /// Size of the decoded content in bytes.
    pub size: u64,
    /// SHA-256 of the content, hex; `None` while the content is not stored.
    pub sha256: Option<String>,
}

impl Writer<'_> {
    /// Stores the attachments of a newly stored message: their content in
    /// `attachment_blobs` (once per hash) and one link row each. Mail
    /// attachments get their content from the message's raw bytes. For
    /// other channels, or when the parts cannot be matched up, only the
    /// listing is stored.
    pub fn insert_attachments(
        &self,
        message_id: i64,
        message: &IncomingMessage,
        raw_input_id: i64,
    ) -> anyhow::Result<()> {
        if message.attachments.is_empty() {
            return Ok(());
        }
        let contents = match message.channel {
            Channel::Email => {
                let raw = raw_message_bytes(&self.tx, raw_input_id, message.raw_span)?;
                extract_mail_attachments(&raw)
            }
            Channel::Chat | Channel::Phone => Vec::new(),
        };
        let contents = if contents.len() == message.attachments.len() {
            contents.into_iter().map(Some).collect()
        } else {
            if message.channel == Channel::Email {
                tracing::warn!(
                    message = message_id,
                    "the adapter listed {} attachments but {} were found in the raw mail; \
                     their content is not stored",
                    message.attachments.len(),
                    contents.len()
                );
            }
            vec![None; message.attachments.len()]
        };
        for (position, (attachment, content)) in
            message.attachments.iter().zip(contents).enumerate()
        {
            let sha256 = content
                .map(|content| insert_blob(&self.tx, &content))
                .transpose()?;
            self.execute_cached(
                "INSERT INTO message_attachments
                     (message_id, position, file_name, content_type, size, sha256)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    message_id,
                    position as i64,
                    attachment.file_name,
                    attachment.content_type,
                    attachment.size as i64,
                    sha256,
                ],
            )?;
        }
        Ok(())
    }
}

impl Store {
    /// Lists the attachments of a message, in the order the adapter listed
    /// them.
    pub fn message_attachments(&self, message_id: i64) -> anyhow::Result<Vec<StoredAttachment>> {
        let mut statement = self.connection.prepare(
            "SELECT id, message_id, file_name, content_type, size, sha256
               FROM message_attachments WHERE message_id = ?1 ORDER BY position",
        )?;
        let rows = statement.query_map(params![message_id], attachment_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Lists every attachment, newest message first.
    pub fn all_attachments(&self) -> anyhow::Result<Vec<StoredAttachment>> {
        let mut statement = self.connection.prepare(
            "SELECT id, message_id, file_name, content_type, size, sha256
               FROM message_attachments ORDER BY message_id DESC, position",
        )?;
        let rows = statement.query_map([], attachment_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Returns an attachment by id, or `None` when there is none.
    pub fn attachment(&self, id: i64) -> anyhow::Result<Option<StoredAttachment>> {
        Ok(self
            .connection
            .query_row(
                "SELECT id, message_id, file_name, content_type, size, sha256
                   FROM message_attachments WHERE id = ?1",
                params![id],
                attachment_row,
            )
            .optional()?)
    }

    /// Returns the content of an attachment. Content not stored yet (an
    /// attachment listed before content was stored) is extracted from the
    /// message's raw mail and stored now. Fails when the attachment does
    /// not exist or its content cannot be found.
    pub fn attachment_content(&mut self, id: i64) -> anyhow::Result<Vec<u8>> {
        let attachment = self.attachment(id)?.with_context(|| {
            format!("attachment {id} not found; list a message's attachments with `kefu attachments MESSAGE`")
        })?;
        if let Some(sha256) = &attachment.sha256 {
            return self
                .connection
                .query_row(
                    "SELECT content FROM attachment_blobs WHERE sha256 = ?1",
                    params![sha256],
                    |row| row.get(0),
                )
                .with_context(|| format!("the content of attachment {id} ({sha256}) is missing"));
        }
        let tx = self.connection.transaction()?;
        let content = extract_stored(&tx, &attachment)?;
        let sha256 = insert_blob(&tx, &content)?;
        tx.execute(
            "UPDATE message_attachments SET sha256 = ?2 WHERE id = ?1",
            params![id, sha256],
        )?;
        tx.commit()?;
        Ok(content)
    }
}

fn attachment_row(row: &rusqlite::Row) -> rusqlite::Result<StoredAttachment> {
    Ok(StoredAttachment {
        id: row.get(0)?,
        message_id: row.get(1)?,
        file_name: row.get(2)?,
        content_type: row.get(3)?,
        size: row.get::<_, i64>(4)?.max(0) as u64,
        sha256: row.get(5)?,
    })
}

/// Extracts the content of a listed attachment from its message's raw mail.
fn extract_stored(
    connection: &Connection,
    attachment: &StoredAttachment,
) -> anyhow::Result<Vec<u8>> {
    let (channel, raw_input_id, offset, length, position): (
        String,
        i64,
        Option<i64>,
        Option<i64>,
        i64,
    ) = connection.query_row(
        "SELECT m.channel, m.raw_input_id, m.raw_offset, m.raw_length, a.position
           FROM message_attachments a JOIN messages m ON m.id = a.message_id
          WHERE a.id = ?1",
        params![attachment.id],
        |row| {
            Ok((
                row.get(0)?,
                row.get(1)?,
                row.get(2)?,
                row.get(3)?,
                row.get(4)?,
            ))
        },
    )?;
    if channel != Channel::Email.as_str() {
        anyhow::bail!(
            "attachment {} came from a {channel} message, whose input carries only the \
             attachment's name, not its content",
            attachment.id
        );
    }
    let span = offset
        .zip(length)
        .map(|(offset, length)| (offset as u64, length as u64));
    let raw = raw_message_bytes(connection, raw_input_id, span)?;
    extract_mail_attachments(&raw)
        .into_iter()
        .nth(position as usize)
        .with_context(|| {
            format!(
                "attachment {} ({:?}) was not found in the stored mail of message {}",
                attachment.id, attachment.file_name, attachment.message_id
            )
        })
}

/// Stores content under its SHA-256 hash unless it is stored, and returns
/// the hash in hex.
fn insert_blob(connection: &Connection, content: &[u8]) -> anyhow::Result<String> {
    let sha256 = hex::encode(Sha256::digest(content));
    connection
        .prepare_cached(
            "INSERT OR IGNORE INTO attachment_blobs (sha256, size, content) VALUES (?1, ?2, ?3)",
        )?
        .execute(params![sha256, content.len() as i64, content])?;
    Ok(sha256)
}

/// Reads the bytes of one message from its raw input: the span, or the
/// whole input when there is none.
fn raw_message_bytes(
    connection: &Connection,
    raw_input_id: i64,
    span: Option<(u64, u64)>,
) -> anyhow::Result<Vec<u8>> {
    let bytes: Vec<u8> = match span {
        // substr counts bytes from 1 on a BLOB.
        Some((offset, length)) => connection
            .prepare_cached("SELECT substr(bytes, ?2 + 1, ?3) FROM raw_inputs WHERE id = ?1")?
            .query_row(params![raw_input_id, offset as i64, length as i64], |row| {
                row.get(0)
            })?,
        None => connection
            .prepare_cached("SELECT bytes FROM raw_inputs WHERE id = ?1")?
            .query_row(params![raw_input_id], |row| row.get(0))?,
    };
    Ok(bytes)
}
