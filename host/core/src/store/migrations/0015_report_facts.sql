-- The send times of each conversation's messages that the reports count,
-- so a report over a year reads one row per conversation instead of every
-- message. A time is `coalesce(sent_at, received_at)` in Unix seconds,
-- each followed by a comma, in no particular order. A time that
-- unixepoch() cannot read is kept as its text. Automatic messages
-- (auto-replies, bounces, bulk mail) are left out, as the reports leave
-- them out. first_at and last_at are the earliest and latest of the
-- times, so a report skips conversations without a message in its
-- period. Both are NULL when a time is kept as text.
--
-- The triggers below keep every conversation's row equal to what the
-- backfill at the end computes from its messages, in the same transaction
-- as every INSERT, DELETE and UPDATE of a message, whichever code runs it.
-- NOTE: an insert rewrites the conversation's whole row, about 11 bytes
-- per message, so storing a conversation of n messages writes O(n^2)
-- bytes in total. That is small for threads of tens or hundreds of
-- messages but was not measured for longer ones.
CREATE TABLE report_message_times (
    conversation_id INTEGER PRIMARY KEY,
    inbound TEXT NOT NULL,
    outbound TEXT NOT NULL,
    first_at INTEGER,
    last_at INTEGER
);

CREATE TRIGGER messages_report_times_insert AFTER INSERT ON messages
WHEN NEW.automation_kind IS NULL
BEGIN
    INSERT INTO report_message_times (conversation_id, inbound, outbound, first_at, last_at)
    SELECT NEW.conversation_id,
           CASE WHEN NEW.direction = 'inbound' THEN time || ',' ELSE '' END,
           CASE WHEN NEW.direction = 'inbound' THEN '' ELSE time || ',' END,
           seconds, seconds
      FROM (SELECT coalesce(unixepoch(coalesce(NEW.sent_at, NEW.received_at)),
                            coalesce(NEW.sent_at, NEW.received_at)) AS time,
                   unixepoch(coalesce(NEW.sent_at, NEW.received_at)) AS seconds)
     WHERE true
        ON CONFLICT (conversation_id) DO UPDATE
       SET inbound = inbound || excluded.inbound,
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
    INSERT INTO report_message_times (conversation_id, inbound, outbound, first_at, last_at)
    SELECT conversation_id,
           coalesce(group_concat(CASE WHEN direction = 'inbound' THEN time || ',' END, ''), ''),
           coalesce(group_concat(CASE WHEN direction = 'inbound' THEN NULL ELSE time || ',' END,
                                 ''), ''),
           CASE WHEN count(seconds) = count(*) THEN min(seconds) END,
           CASE WHEN count(seconds) = count(*) THEN max(seconds) END
      FROM (SELECT conversation_id, direction,
                   coalesce(unixepoch(coalesce(sent_at, received_at)),
                            coalesce(sent_at, received_at)) AS time,
                   unixepoch(coalesce(sent_at, received_at)) AS seconds
              FROM messages
             WHERE conversation_id = OLD.conversation_id AND automation_kind IS NULL)
     GROUP BY conversation_id;
END;

CREATE TRIGGER messages_report_times_update
AFTER UPDATE OF conversation_id, direction, sent_at, received_at, automation_kind ON messages
BEGIN
    DELETE FROM report_message_times
     WHERE conversation_id IN (OLD.conversation_id, NEW.conversation_id);
    INSERT INTO report_message_times (conversation_id, inbound, outbound, first_at, last_at)
    SELECT conversation_id,
           coalesce(group_concat(CASE WHEN direction = 'inbound' THEN time || ',' END, ''), ''),
           coalesce(group_concat(CASE WHEN direction = 'inbound' THEN NULL ELSE time || ',' END,
                                 ''), ''),
           CASE WHEN count(seconds) = count(*) THEN min(seconds) END,
           CASE WHEN count(seconds) = count(*) THEN max(seconds) END
      FROM (SELECT conversation_id, direction,
                   coalesce(unixepoch(coalesce(sent_at, received_at)),
                            coalesce(sent_at, received_at)) AS time,
                   unixepoch(coalesce(sent_at, received_at)) AS seconds
              FROM messages
             WHERE conversation_id IN (OLD.conversation_id, NEW.conversation_id)
               AND automation_kind IS NULL)
     GROUP BY conversation_id;
END;

INSERT INTO report_message_times (conversation_id, inbound, outbound, first_at, last_at)
SELECT conversation_id,
       coalesce(group_concat(CASE WHEN direction = 'inbound' THEN time || ',' END, ''), ''),
       coalesce(group_concat(CASE WHEN direction = 'inbound' THEN NULL ELSE time || ',' END, ''),
                ''),
       CASE WHEN count(seconds) = count(*) THEN min(seconds) END,
       CASE WHEN count(seconds) = count(*) THEN max(seconds) END
  FROM (SELECT conversation_id, direction,
               coalesce(unixepoch(coalesce(sent_at, received_at)),
                        coalesce(sent_at, received_at)) AS time,
               unixepoch(coalesce(sent_at, received_at)) AS seconds
          FROM messages
         WHERE automation_kind IS NULL)
 GROUP BY conversation_id;

-- The ticket columns the reports read, with times in Unix seconds, so a
-- report reads narrow rows of integers instead of parsing the text times
-- of every ticket. opened_at is coalesce(sla_start_at, created_at), the
-- instant a report counts a ticket as created at, and reopened is
-- reopen_count > 0. A time that unixepoch() cannot read is kept as its
-- text, as in report_message_times. Kefu writes times in whole seconds,
-- so no fraction is lost.
--
-- The triggers below keep each row equal to what the backfill at the end
-- computes from its ticket, in the same transaction as every INSERT,
-- DELETE and UPDATE of a ticket.
CREATE TABLE report_ticket_facts (
    ticket_id INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL,
    opened_at INTEGER NOT NULL,
    resolved_at INTEGER,
    first_response_at INTEGER,
    first_response_due INTEGER,
    resolution_due INTEGER,
    reopened INTEGER NOT NULL,
    merged_into INTEGER,
    assignee TEXT,
    ticket_type TEXT NOT NULL,
    source TEXT NOT NULL,
    subject TEXT
);

-- The tickets merged into another, which a report reads apart from the
-- others.
CREATE INDEX report_ticket_facts_merged ON report_ticket_facts (merged_into)
    WHERE merged_into IS NOT NULL;

CREATE TRIGGER tickets_report_facts_insert AFTER INSERT ON tickets
BEGIN
    INSERT INTO report_ticket_facts
    VALUES (NEW.id, NEW.conversation_id,
            coalesce(unixepoch(coalesce(NEW.sla_start_at, NEW.created_at)),
                     coalesce(NEW.sla_start_at, NEW.created_at)),
            coalesce(unixepoch(NEW.resolved_at), NEW.resolved_at),
            coalesce(unixepoch(NEW.first_response_at), NEW.first_response_at),
            coalesce(unixepoch(NEW.first_response_due), NEW.first_response_due),
            coalesce(unixepoch(NEW.resolution_due), NEW.resolution_due),
            NEW.reopen_count > 0, NEW.merged_into, NEW.assignee, NEW.ticket_type, NEW.source,
            NEW.subject);
END;

CREATE TRIGGER tickets_report_facts_delete AFTER DELETE ON tickets
BEGIN
    DELETE FROM report_ticket_facts WHERE ticket_id = OLD.id;
END;

-- The ticket engine sets the deadlines on every event, mostly to the
-- values they had, so the WHEN clause skips updates that change nothing
-- the reports read.
CREATE TRIGGER tickets_report_facts_update
AFTER UPDATE OF id, conversation_id, created_at, sla_start_at, resolved_at, first_response_at,
                first_response_due, resolution_due, reopen_count, merged_into, assignee,
                ticket_type, source, subject ON tickets
WHEN OLD.id IS NOT NEW.id
  OR OLD.conversation_id IS NOT NEW.conversation_id
  OR OLD.created_at IS NOT NEW.created_at
  OR OLD.sla_start_at IS NOT NEW.sla_start_at
  OR OLD.resolved_at IS NOT NEW.resolved_at
  OR OLD.first_response_at IS NOT NEW.first_response_at
  OR OLD.first_response_due IS NOT NEW.first_response_due
  OR OLD.resolution_due IS NOT NEW.resolution_due
  OR (OLD.reopen_count > 0) IS NOT (NEW.reopen_count > 0)
  OR OLD.merged_into IS NOT NEW.merged_into
  OR OLD.assignee IS NOT NEW.assignee
  OR OLD.ticket_type IS NOT NEW.ticket_type
  OR OLD.source IS NOT NEW.source
  OR OLD.subject IS NOT NEW.subject
BEGIN
    DELETE FROM report_ticket_facts WHERE ticket_id = OLD.id;
    INSERT INTO report_ticket_facts
    VALUES (NEW.id, NEW.conversation_id,
            coalesce(unixepoch(coalesce(NEW.sla_start_at, NEW.created_at)),
                     coalesce(NEW.sla_start_at, NEW.created_at)),
            coalesce(unixepoch(NEW.resolved_at), NEW.resolved_at),
            coalesce(unixepoch(NEW.first_response_at), NEW.first_response_at),
            coalesce(unixepoch(NEW.first_response_due), NEW.first_response_due),
            coalesce(unixepoch(NEW.resolution_due), NEW.resolution_due),
            NEW.reopen_count > 0, NEW.merged_into, NEW.assignee, NEW.ticket_type, NEW.source,
            NEW.subject);
END;

INSERT INTO report_ticket_facts
SELECT id, conversation_id,
       coalesce(unixepoch(coalesce(sla_start_at, created_at)), coalesce(sla_start_at, created_at)),
       coalesce(unixepoch(resolved_at), resolved_at),
       coalesce(unixepoch(first_response_at), first_response_at),
       coalesce(unixepoch(first_response_due), first_response_due),
       coalesce(unixepoch(resolution_due), resolution_due),
       reopen_count > 0, merged_into, assignee, ticket_type, source, subject
  FROM tickets;
