-- report_message_times as chunks of at most 64 messages per row. In
-- schema version 12 each conversation had one row, and every message
-- insert rewrote that whole row, so storing a conversation of n messages
-- wrote O(n^2) bytes. A chunk holds at most 64 times of about 11 bytes
-- each, so an insert rewrites at most about 700 bytes, and a conversation
-- of up to 64 messages still has one row.
--
-- Each row is what schema version 12 kept per conversation, for the
-- messages of one chunk: their times as Unix seconds, or as text when
-- unixepoch() cannot read a time, each followed by a comma, inbound and
-- outbound apart. first_at and last_at are the earliest and latest times
-- of the chunk, both NULL when a time is kept as text. messages is the
-- number of times in the chunk. Automatic messages are left out, as the
-- reports leave them out.
--
-- An insert adds its message to the conversation's last chunk, or starts
-- a new chunk when that one is full. The delete and update triggers and
-- the backfill number the chunks by message id, 64 messages to a chunk.
-- The reports read the times of a conversation from all its rows, so
-- which chunk holds a time does not change a report.
--
-- The index messages_report_time stays, although the metrics no longer
-- read it since schema version 12, because the messages-per-day widget
-- finds its last day with it. EXPLAIN QUERY PLAN in SQLite 3.40 shows
-- SEARCH messages USING COVERING INDEX messages_report_time.
DROP TRIGGER messages_report_times_insert;
DROP TRIGGER messages_report_times_delete;
DROP TRIGGER messages_report_times_update;
DROP TABLE report_message_times;

CREATE TABLE report_message_times (
    conversation_id INTEGER NOT NULL,
    chunk INTEGER NOT NULL,
    messages INTEGER NOT NULL,
    inbound TEXT NOT NULL,
    outbound TEXT NOT NULL,
    first_at INTEGER,
    last_at INTEGER,
    PRIMARY KEY (conversation_id, chunk)
) WITHOUT ROWID;

CREATE TRIGGER messages_report_times_insert AFTER INSERT ON messages
WHEN NEW.automation_kind IS NULL
BEGIN
    INSERT INTO report_message_times
           (conversation_id, chunk, messages, inbound, outbound, first_at, last_at)
    SELECT NEW.conversation_id,
           coalesce((SELECT CASE WHEN messages < 64 THEN chunk ELSE chunk + 1 END
                       FROM report_message_times
                      WHERE conversation_id = NEW.conversation_id
                      ORDER BY chunk DESC LIMIT 1), 0),
           1,
           CASE WHEN NEW.direction = 'inbound' THEN time || ',' ELSE '' END,
           CASE WHEN NEW.direction = 'inbound' THEN '' ELSE time || ',' END,
           seconds, seconds
      FROM (SELECT coalesce(unixepoch(coalesce(NEW.sent_at, NEW.received_at)),
                            coalesce(NEW.sent_at, NEW.received_at)) AS time,
                   unixepoch(coalesce(NEW.sent_at, NEW.received_at)) AS seconds)
     WHERE true
        ON CONFLICT (conversation_id, chunk) DO UPDATE
       SET messages = messages + 1,
           inbound = inbound || excluded.inbound,
           outbound = outbound || excluded.outbound,
           first_at = min(first_at, excluded.first_at),
           last_at = max(last_at, excluded.last_at);
END;

-- A deleted or changed message rebuilds the rows of the conversations it
-- left and joined from their messages. Messages are only inserted today,
-- so these run rarely.
CREATE TRIGGER messages_report_times_delete AFTER DELETE ON messages
WHEN OLD.automation_kind IS NULL
BEGIN
    DELETE FROM report_message_times WHERE conversation_id = OLD.conversation_id;
    INSERT INTO report_message_times
           (conversation_id, chunk, messages, inbound, outbound, first_at, last_at)
    SELECT conversation_id, chunk, count(*),
           coalesce(group_concat(CASE WHEN direction = 'inbound' THEN time || ',' END, ''), ''),
           coalesce(group_concat(CASE WHEN direction = 'inbound' THEN NULL ELSE time || ',' END,
                                 ''), ''),
           CASE WHEN count(seconds) = count(*) THEN min(seconds) END,
           CASE WHEN count(seconds) = count(*) THEN max(seconds) END
      FROM (SELECT conversation_id, direction,
                   (row_number() OVER (PARTITION BY conversation_id ORDER BY id) - 1) / 64
                       AS chunk,
                   coalesce(unixepoch(coalesce(sent_at, received_at)),
                            coalesce(sent_at, received_at)) AS time,
                   unixepoch(coalesce(sent_at, received_at)) AS seconds
              FROM messages
             WHERE conversation_id = OLD.conversation_id AND automation_kind IS NULL)
     GROUP BY conversation_id, chunk;
END;

CREATE TRIGGER messages_report_times_update
AFTER UPDATE OF conversation_id, direction, sent_at, received_at, automation_kind ON messages
BEGIN
    DELETE FROM report_message_times
     WHERE conversation_id IN (OLD.conversation_id, NEW.conversation_id);
    INSERT INTO report_message_times
           (conversation_id, chunk, messages, inbound, outbound, first_at, last_at)
    SELECT conversation_id, chunk, count(*),
           coalesce(group_concat(CASE WHEN direction = 'inbound' THEN time || ',' END, ''), ''),
           coalesce(group_concat(CASE WHEN direction = 'inbound' THEN NULL ELSE time || ',' END,
                                 ''), ''),
           CASE WHEN count(seconds) = count(*) THEN min(seconds) END,
           CASE WHEN count(seconds) = count(*) THEN max(seconds) END
      FROM (SELECT conversation_id, direction,
                   (row_number() OVER (PARTITION BY conversation_id ORDER BY id) - 1) / 64
                       AS chunk,
                   coalesce(unixepoch(coalesce(sent_at, received_at)),
                            coalesce(sent_at, received_at)) AS time,
                   unixepoch(coalesce(sent_at, received_at)) AS seconds
              FROM messages
             WHERE conversation_id IN (OLD.conversation_id, NEW.conversation_id)
               AND automation_kind IS NULL)
     GROUP BY conversation_id, chunk;
END;

INSERT INTO report_message_times
       (conversation_id, chunk, messages, inbound, outbound, first_at, last_at)
SELECT conversation_id, chunk, count(*),
       coalesce(group_concat(CASE WHEN direction = 'inbound' THEN time || ',' END, ''), ''),
       coalesce(group_concat(CASE WHEN direction = 'inbound' THEN NULL ELSE time || ',' END, ''),
                ''),
       CASE WHEN count(seconds) = count(*) THEN min(seconds) END,
       CASE WHEN count(seconds) = count(*) THEN max(seconds) END
  FROM (SELECT conversation_id, direction,
               (row_number() OVER (PARTITION BY conversation_id ORDER BY id) - 1) / 64 AS chunk,
               coalesce(unixepoch(coalesce(sent_at, received_at)),
                        coalesce(sent_at, received_at)) AS time,
               unixepoch(coalesce(sent_at, received_at)) AS seconds
          FROM messages
         WHERE automation_kind IS NULL)
 GROUP BY conversation_id, chunk;
