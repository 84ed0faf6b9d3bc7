-- Plugin state the user controls: whether a plugin runs, and why not.
CREATE TABLE plugins (
    id TEXT PRIMARY KEY,
    -- 1 runs, 0 does not. Native plugins start at 0 and run only after the
    -- user enables them by name.
    enabled INTEGER NOT NULL DEFAULT 1,
    disabled_reason TEXT,
    updated_at TEXT NOT NULL
);

-- Capabilities the user granted: `read-folder` with an absolute folder, or
-- `http-host` with `host` or `host:port`.
CREATE TABLE plugin_grants (
    plugin_id TEXT NOT NULL,
    capability TEXT NOT NULL CHECK (capability IN ('read-folder', 'http-host')),
    value TEXT NOT NULL,
    granted_at TEXT NOT NULL,
    PRIMARY KEY (plugin_id, capability, value)
);

-- Failed plugin calls, newest last, for the fault window and for the user.
CREATE TABLE plugin_faults (
    id INTEGER PRIMARY KEY,
    plugin_id TEXT NOT NULL,
    at TEXT NOT NULL,
    call TEXT NOT NULL,
    message TEXT NOT NULL
);
CREATE INDEX plugin_faults_plugin ON plugin_faults (plugin_id, at);

-- Each plugin's private key-value storage.
CREATE TABLE plugin_kv (
    plugin_id TEXT NOT NULL,
    key TEXT NOT NULL,
    value BLOB NOT NULL,
    PRIMARY KEY (plugin_id, key)
);

-- Timers rules scheduled on tickets. A timer fires once; `fired_at` marks it.
CREATE TABLE ticket_timers (
    id INTEGER PRIMARY KEY,
    ticket_id INTEGER NOT NULL REFERENCES tickets (id),
    plugin_id TEXT NOT NULL,
    name TEXT NOT NULL,
    due_at TEXT NOT NULL,
    created_at TEXT NOT NULL,
    fired_at TEXT
);
CREATE UNIQUE INDEX ticket_timers_pending ON ticket_timers (ticket_id, plugin_id, name)
    WHERE fired_at IS NULL;
CREATE INDEX ticket_timers_due ON ticket_timers (due_at) WHERE fired_at IS NULL;
