-- Ticket state the lifecycle, the SLA and the to-do list read. Every change
-- to these columns is written in the same transaction as the ticket event
-- that explains it.
-- When the customer wrote the message that opened the ticket, if earlier
-- than the ticket itself (an import of older mail). The SLA clock starts
-- here; NULL means at created_at.
ALTER TABLE tickets ADD COLUMN sla_start_at TEXT;
ALTER TABLE tickets ADD COLUMN first_response_at TEXT;
ALTER TABLE tickets ADD COLUMN first_response_due TEXT;
ALTER TABLE tickets ADD COLUMN resolution_due TEXT;
ALTER TABLE tickets ADD COLUMN resolved_at TEXT;
-- Set while the ticket is in a status whose SLA clock is stopped.
ALTER TABLE tickets ADD COLUMN sla_paused_at TEXT;
-- Business time the SLA clock has been stopped in total, in seconds; the
-- deadlines move out by this much.
ALTER TABLE tickets ADD COLUMN sla_paused_seconds INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tickets ADD COLUMN reopen_count INTEGER NOT NULL DEFAULT 0;
-- The ticket this one was merged into; a merged ticket is closed.
ALTER TABLE tickets ADD COLUMN merged_into INTEGER REFERENCES tickets (id);
-- 1 while the status's category is not `done`.
ALTER TABLE tickets ADD COLUMN is_open INTEGER NOT NULL DEFAULT 1;
-- Queue position: higher first. VIP customers and high priorities rank up.
ALTER TABLE tickets ADD COLUMN queue_rank INTEGER NOT NULL DEFAULT 0;
-- The earliest deadline still running, for sorting by due time.
ALTER TABLE tickets ADD COLUMN due_at TEXT;

UPDATE tickets SET is_open = CASE WHEN status IN ('resolved', 'closed') THEN 0 ELSE 1 END;

-- The to-do list's sort orders. `due_at IS NULL` puts tickets without a
-- running deadline after those with one.
CREATE INDEX tickets_todo ON tickets (is_open, queue_rank DESC, due_at IS NULL, due_at, id);
CREATE INDEX tickets_open_due ON tickets (is_open, due_at IS NULL, due_at, queue_rank DESC, id);
CREATE INDEX tickets_open_updated ON tickets (is_open, updated_at DESC, id);
CREATE INDEX tickets_open_created ON tickets (is_open, created_at, id);
-- One agent's to-do list in queue order and by due time.
CREATE INDEX tickets_assignee_todo
    ON tickets (assignee, is_open, queue_rank DESC, due_at IS NULL, due_at, id);
CREATE INDEX tickets_assignee_due
    ON tickets (assignee, is_open, due_at IS NULL, due_at, queue_rank DESC, id);
CREATE INDEX ticket_tags_tag ON ticket_tags (tag, ticket_id);
-- A customer's conversations, which rules see as the customer's history
-- on every event; without it each event scans every conversation.
CREATE INDEX conversations_customer ON conversations (customer_id, id);

-- The people who answer customers.
CREATE TABLE agents (
    id INTEGER PRIMARY KEY,
    -- Login-style name used as a ticket's assignee.
    name TEXT NOT NULL UNIQUE,
    display_name TEXT,
    -- JSON array of skill names, such as ["billing", "zh"].
    skills TEXT NOT NULL DEFAULT '[]',
    -- 1 when the agent takes new tickets now.
    available INTEGER NOT NULL DEFAULT 1,
    -- Most open tickets the agent should hold; NULL for no limit.
    max_open INTEGER,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- Small pieces of routing state, such as the last agent of a round-robin.
CREATE TABLE routing_state (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Named to-do queries an agent saved: a JSON object of filters and sort.
CREATE TABLE saved_views (
    name TEXT PRIMARY KEY,
    query TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- Time agents spent on a ticket and what they did.
CREATE TABLE work_log (
    id INTEGER PRIMARY KEY,
    ticket_id INTEGER NOT NULL REFERENCES tickets (id),
    agent TEXT NOT NULL,
    minutes INTEGER NOT NULL CHECK (minutes > 0),
    summary TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX work_log_ticket ON work_log (ticket_id, id);

-- Work that is not a customer message: calling back a missed call, a
-- follow-up an agent promised.
CREATE TABLE tasks (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('callback', 'follow-up')),
    title TEXT NOT NULL,
    customer_id INTEGER REFERENCES customers (id),
    ticket_id INTEGER REFERENCES tickets (id),
    -- The message the task came from: for a callback, the first missed
    -- call; later missed calls while it is open count as attempts.
    message_id INTEGER UNIQUE REFERENCES messages (id),
    attempts INTEGER NOT NULL DEFAULT 1,
    assignee TEXT,
    due_at TEXT,
    created_at TEXT NOT NULL,
    done_at TEXT,
    done_by TEXT
);
CREATE INDEX tasks_open ON tasks (done_at, due_at);

-- Canned replies. `id` is the name rules use in suggest-phrase and
-- send-phrase.
CREATE TABLE phrases (
    id TEXT PRIMARY KEY,
    category TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    -- JSON array of words and phrases that make this reply a suggestion.
    keywords TEXT NOT NULL DEFAULT '[]',
    usage_count INTEGER NOT NULL DEFAULT 0,
    last_used_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX phrases_category ON phrases (category, title);

-- Time rules that fired, so each fires once per condition. `condition`
-- names the state that made it fire (the unanswered message, the deadline,
-- the status change); a new state of the ticket is a new condition.
CREATE TABLE rule_firings (
    rule TEXT NOT NULL,
    ticket_id INTEGER NOT NULL REFERENCES tickets (id),
    condition TEXT NOT NULL,
    fired_at TEXT NOT NULL,
    PRIMARY KEY (rule, ticket_id, condition)
);
