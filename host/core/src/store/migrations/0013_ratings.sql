-- Customer satisfaction ratings, 1 (worst) to 5 (best), each against a
-- ticket. The reports' CSAT is the share of 4 and 5 among them.
CREATE TABLE ratings (
    id INTEGER PRIMARY KEY,
    ticket_id INTEGER NOT NULL REFERENCES tickets (id),
    score INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
    comment TEXT,
    -- When the customer gave the rating (RFC 3339, UTC).
    rated_at TEXT NOT NULL,
    -- 'import' for a row of `kefu ratings import`, 'message' for a rating
    -- read from a customer's message.
    source TEXT NOT NULL CHECK (source IN ('import', 'message')),
    -- The customer's message the rating was read from.
    message_id INTEGER UNIQUE REFERENCES messages (id),
    created_at TEXT NOT NULL,
    -- Importing the same file again adds nothing.
    UNIQUE (ticket_id, rated_at, score)
);
CREATE INDEX ratings_rated_at ON ratings (rated_at, ticket_id);

-- The messages of a time range for the reports, covering every column they
-- read, so a report over a year reads this index and not the message bodies.
CREATE INDEX messages_report_time
    ON messages (coalesce(sent_at, received_at), direction, conversation_id, automation_kind);
