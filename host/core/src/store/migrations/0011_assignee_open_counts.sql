-- The number of open tickets assigned to each assignee name, so routing
-- reads an agent's load without counting their tickets for every new
-- ticket. The triggers below keep it equal to
--   SELECT count(*) FROM tickets WHERE assignee = ?1 AND is_open = 1
-- in the same transaction as every INSERT, DELETE and UPDATE of a
-- ticket's assignee or is_open, whichever code runs it. Unassigned
-- tickets (assignee NULL or '') are not counted. A row may remain with
-- open_count 0 after its last ticket closes.
CREATE TABLE assignee_open_counts (
    assignee TEXT PRIMARY KEY,
    open_count INTEGER NOT NULL CHECK (open_count >= 0)
) WITHOUT ROWID;

INSERT INTO assignee_open_counts (assignee, open_count)
SELECT assignee, count(*)
  FROM tickets
 WHERE is_open = 1 AND coalesce(assignee, '') <> ''
 GROUP BY assignee;

CREATE TRIGGER tickets_open_count_insert AFTER INSERT ON tickets
WHEN NEW.is_open = 1 AND coalesce(NEW.assignee, '') <> ''
BEGIN
    INSERT INTO assignee_open_counts (assignee, open_count) VALUES (NEW.assignee, 1)
        ON CONFLICT (assignee) DO UPDATE SET open_count = open_count + 1;
END;

CREATE TRIGGER tickets_open_count_delete AFTER DELETE ON tickets
WHEN OLD.is_open = 1 AND coalesce(OLD.assignee, '') <> ''
BEGIN
    UPDATE assignee_open_counts SET open_count = open_count - 1
     WHERE assignee = OLD.assignee;
END;

-- SQLite fires an UPDATE OF trigger whenever the statement sets one of
-- the columns, also to its old value, so the WHEN clause skips the rows
-- whose counted state did not change.
CREATE TRIGGER tickets_open_count_update AFTER UPDATE OF assignee, is_open ON tickets
WHEN (OLD.is_open = 1 AND coalesce(OLD.assignee, '') <> '')
     IS NOT (NEW.is_open = 1 AND coalesce(NEW.assignee, '') <> '')
  OR ((OLD.is_open = 1 AND coalesce(OLD.assignee, '') <> '') AND OLD.assignee IS NOT NEW.assignee)
BEGIN
    UPDATE assignee_open_counts SET open_count = open_count - 1
     WHERE OLD.is_open = 1 AND assignee = OLD.assignee;
    INSERT INTO assignee_open_counts (assignee, open_count)
    SELECT NEW.assignee, 1
     WHERE NEW.is_open = 1 AND coalesce(NEW.assignee, '') <> ''
        ON CONFLICT (assignee) DO UPDATE SET open_count = open_count + 1;
END;
