-- Customers and the addresses they reach the team from.
CREATE TABLE customers (
    id INTEGER PRIMARY KEY,
    name TEXT,
    tier TEXT NOT NULL DEFAULT 'regular',
    created_at TEXT NOT NULL
);

-- One row per channel address of a customer: an email address, a phone
-- number or a chat user id. An address belongs to one customer.
CREATE TABLE customer_identities (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    kind TEXT NOT NULL CHECK (kind IN ('email', 'phone', 'chat')),
    value TEXT NOT NULL,
    UNIQUE (kind, value)
);

-- Every input file or request exactly as received, kept so a parser bug
-- never loses a customer message and quarantined input can be retried.
CREATE TABLE raw_inputs (
    id INTEGER PRIMARY KEY,
    sha256 TEXT NOT NULL UNIQUE,
    source_name TEXT NOT NULL,
    content_type TEXT,
    adapter TEXT,
    bytes BLOB NOT NULL,
    received_at TEXT NOT NULL
);

CREATE TABLE conversations (
    id INTEGER PRIMARY KEY,
    channel TEXT NOT NULL CHECK (channel IN ('email', 'chat', 'phone')),
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    -- The channel's own conversation id (chat), or the caller's number
    -- (phone); NULL for email, which threads by message ids.
    thread_key TEXT,
    subject TEXT,
    created_at TEXT NOT NULL,
    last_message_at TEXT NOT NULL,
    UNIQUE (channel, thread_key)
);
CREATE INDEX conversations_last_message ON conversations (last_message_at);

-- Times are RFC 3339 strings in UTC.
CREATE TABLE messages (
    id INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations (id),
    channel TEXT NOT NULL CHECK (channel IN ('email', 'chat', 'phone')),
    direction TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound')),
    sender_name TEXT,
    sender_address TEXT NOT NULL,
    sent_at TEXT,
    received_at TEXT NOT NULL,
    subject TEXT,
    body_text TEXT NOT NULL,
    external_id TEXT,
    -- `<channel>:<external id or ->:<SHA-256 of the parsed content>`.
    dedupe_key TEXT NOT NULL UNIQUE,
    replies_to TEXT NOT NULL DEFAULT '[]',
    automation_kind TEXT CHECK (automation_kind IN ('auto-reply', 'bounce', 'bulk')),
    automation_evidence TEXT,
    call TEXT,
    attachments TEXT NOT NULL DEFAULT '[]',
    notes TEXT NOT NULL DEFAULT '[]',
    raw_input_id INTEGER NOT NULL REFERENCES raw_inputs (id),
    raw_offset INTEGER,
    raw_length INTEGER
);
CREATE INDEX messages_conversation ON messages (conversation_id, id);
CREATE INDEX messages_external_id ON messages (channel, external_id);

CREATE TABLE tickets (
    id INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations (id),
    subject TEXT,
    ticket_type TEXT NOT NULL,
    priority TEXT NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('email', 'chat', 'phone')),
    status TEXT NOT NULL,
    assignee TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX tickets_conversation ON tickets (conversation_id);

CREATE TABLE ticket_tags (
    ticket_id INTEGER NOT NULL REFERENCES tickets (id),
    tag TEXT NOT NULL,
    PRIMARY KEY (ticket_id, tag)
);

-- Append-only history of every ticket change: who (`actor`), when, what
-- (`kind` and `detail`, a JSON object) and why.
CREATE TABLE ticket_events (
    id INTEGER PRIMARY KEY,
    ticket_id INTEGER NOT NULL REFERENCES tickets (id),
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    kind TEXT NOT NULL,
    detail TEXT NOT NULL,
    reason TEXT
);
CREATE INDEX ticket_events_ticket ON ticket_events (ticket_id, id);
CREATE TRIGGER ticket_events_no_update BEFORE UPDATE ON ticket_events
BEGIN
    SELECT RAISE(ABORT, 'ticket_events is append-only');
END;
CREATE TRIGGER ticket_events_no_delete BEFORE DELETE ON ticket_events
BEGIN
    SELECT RAISE(ABORT, 'ticket_events is append-only');
END;

-- Input, or part of an input, that no adapter could read, with the reason.
-- The bytes stay in raw_inputs; the span says which part failed.
CREATE TABLE quarantine (
    id INTEGER PRIMARY KEY,
    raw_input_id INTEGER NOT NULL REFERENCES raw_inputs (id),
    span_offset INTEGER,
    span_length INTEGER,
    adapter TEXT,
    reason TEXT NOT NULL,
    quarantined_at TEXT NOT NULL
);
