-- Accounts, server-side web sessions, and versions for concurrent coding.

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    role TEXT NOT NULL CHECK (role IN ('coordinator', 'researcher', 'coder', 'facilitator', 'viewer')),
    password_hash TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- Only a hash of the session token is stored: a stolen database copy
-- cannot be replayed as a cookie.
CREATE TABLE web_sessions (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_seen TEXT NOT NULL
);
CREATE INDEX web_sessions_by_user ON web_sessions(user_id);

-- A coding's version increases with each change; an edit naming an older
-- version is refused. A document's revision increases with any change to
-- its codings, so a client can tell its view is stale.
ALTER TABLE codings ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE documents ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
