-- Reads of the workbench whose cost must not grow with the desk.
--
-- The number of tickets in each combination of the to-do list's filter
-- columns, so the to-do list counts its matching tickets by adding up a
-- few rows instead of counting every open ticket. The triggers below
-- keep it equal to
--   SELECT is_open, status, priority, assignee IS NOT NULL AS assigned,
--          coalesce(assignee, '') AS assignee, count(*)
--     FROM tickets GROUP BY 1, 2, 3, 4, 5
-- in the same transaction as every INSERT, DELETE and UPDATE of a
-- ticket's is_open, status, priority or assignee, whichever code runs it.
-- A NULL assignee is stored as assigned 0 and assignee '', so that the
-- key has no NULL and an empty assignee name stays apart from none.
-- A row may remain with ticket_count 0.
CREATE TABLE todo_counts (
    is_open INTEGER NOT NULL,
    status TEXT NOT NULL,
    priority TEXT NOT NULL,
    assigned INTEGER NOT NULL,
    assignee TEXT NOT NULL,
    ticket_count INTEGER NOT NULL CHECK (ticket_count >= 0),
    PRIMARY KEY (is_open, status, priority, assigned, assignee)
) WITHOUT ROWID;

INSERT INTO todo_counts (is_open, status, priority, assigned, assignee, ticket_count)
SELECT is_open, status, priority, assignee IS NOT NULL, coalesce(assignee, ''), count(*)
  FROM tickets
 GROUP BY 1, 2, 3, 4, 5;

CREATE TRIGGER tickets_todo_count_insert AFTER INSERT ON tickets
BEGIN
    INSERT INTO todo_counts (is_open, status, priority, assigned, assignee, ticket_count)
    VALUES (NEW.is_open, NEW.status, NEW.priority, NEW.assignee IS NOT NULL,
            coalesce(NEW.assignee, ''), 1)
        ON CONFLICT (is_open, status, priority, assigned, assignee)
        DO UPDATE SET ticket_count = ticket_count + 1;
END;

CREATE TRIGGER tickets_todo_count_delete AFTER DELETE ON tickets
BEGIN
    UPDATE todo_counts SET ticket_count = ticket_count - 1
     WHERE is_open = OLD.is_open AND status = OLD.status AND priority = OLD.priority
       AND assigned = (OLD.assignee IS NOT NULL) AND assignee = coalesce(OLD.assignee, '');
END;

-- SQLite fires an UPDATE OF trigger whenever the statement sets one of
-- the columns, also to its old value, so the WHEN clause skips the rows
-- whose counted key did not change.
CREATE TRIGGER tickets_todo_count_update
AFTER UPDATE OF is_open, status, priority, assignee ON tickets
WHEN OLD.is_open IS NOT NEW.is_open OR OLD.status IS NOT NEW.status
  OR OLD.priority IS NOT NEW.priority OR OLD.assignee IS NOT NEW.assignee
BEGIN
    UPDATE todo_counts SET ticket_count = ticket_count - 1
     WHERE is_open = OLD.is_open AND status = OLD.status AND priority = OLD.priority
       AND assigned = (OLD.assignee IS NOT NULL) AND assignee = coalesce(OLD.assignee, '');
    INSERT INTO todo_counts (is_open, status, priority, assigned, assignee, ticket_count)
    VALUES (NEW.is_open, NEW.status, NEW.priority, NEW.assignee IS NOT NULL,
            coalesce(NEW.assignee, ''), 1)
        ON CONFLICT (is_open, status, priority, assigned, assignee)
        DO UPDATE SET ticket_count = ticket_count + 1;
END;

-- A conversation's messages in time order, so the pane reads its latest
-- messages by walking the end of this index instead of sorting every
-- message of the conversation.
CREATE INDEX messages_conversation_time
    ON messages (conversation_id, coalesce(sent_at, received_at), id);
