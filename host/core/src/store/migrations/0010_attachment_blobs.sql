-- Attachment content stored once, keyed by its SHA-256 hash, so the same
-- file in many mails takes its space once.
CREATE TABLE attachment_blobs (
    sha256 TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    content BLOB NOT NULL
);

-- One row per attachment of a message, in the order the adapter listed
-- them. sha256 is NULL until the content is extracted from the raw input:
-- for a channel whose inputs carry no attachment bytes, and for rows this
-- migration copied from messages.attachments, whose content is extracted
-- the first time it is read.
CREATE TABLE message_attachments (
    id INTEGER PRIMARY KEY,
    message_id INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT REFERENCES attachment_blobs (sha256),
    UNIQUE (message_id, position)
);

CREATE INDEX message_attachments_sha256 ON message_attachments (sha256);

INSERT INTO message_attachments (message_id, position, file_name, content_type, size)
SELECT m.id, CAST(a.key AS INTEGER),
       coalesce(json_extract(a.value, '$.file_name'), ''),
       coalesce(json_extract(a.value, '$.content_type'), 'application/octet-stream'),
       coalesce(json_extract(a.value, '$.size'), 0)
  FROM messages m, json_each(m.attachments) a
 WHERE json_valid(m.attachments);
