-- Secrets of this installation, kept in the database so a backup carries
-- them. `conversation-token-key` signs the conversation tokens in the
-- Message-IDs of outbound mail.
CREATE TABLE installation_secrets (
    name TEXT PRIMARY KEY,
    value BLOB NOT NULL,
    created_at TEXT NOT NULL
);

-- Outbound messages waiting for delivery, and their delivery state. The
-- message itself (text, recipient, Message-ID) is in `messages`; the
-- formatted bytes, once the channel adapter made them, are in
-- `raw_inputs`, so a retry sends the same bytes.
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    channel TEXT NOT NULL CHECK (channel IN ('email', 'chat', 'phone')),
    message_id INTEGER NOT NULL UNIQUE REFERENCES messages (id),
    ticket_id INTEGER REFERENCES tickets (id),
    -- The customer's address the message goes to.
    recipient TEXT NOT NULL,
    -- 1 when a rule queued the message, 0 when an agent did. Automatic
    -- messages count against the daily cap per address.
    automatic INTEGER NOT NULL DEFAULT 0 CHECK (automatic IN (0, 1)),
    state TEXT NOT NULL DEFAULT 'queued'
        CHECK (state IN ('queued', 'sending', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error TEXT,
    formatted_input_id INTEGER REFERENCES raw_inputs (id),
    queued_at TEXT NOT NULL,
    -- When the current attempt started, while the state is 'sending'.
    sending_since TEXT,
    sent_at TEXT
);
CREATE INDEX outbox_due ON outbox (state, next_attempt_at);
CREATE INDEX outbox_recipient ON outbox (recipient, automatic, queued_at);
