-- Blind double-coding, and auto-coding suggestions.
--
-- Blind double-coding: a coordinator assigns a document to coders. While
-- any of a document's assignments is not done, each assigned coder sees
-- only their own codings on it (the rule lives in the store's
-- `AssignmentStore::document_codings_visible_to`).
CREATE TABLE assignments (
    id INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    assigned_by TEXT NOT NULL,
    assigned_at TEXT NOT NULL,
    done_at TEXT,
    UNIQUE (document_id, user_id)
);

CREATE INDEX assignments_by_user ON assignments(user_id);

-- Auto-coding suggestions, kept apart from codings: a person accepts one
-- (which creates a manual coding by them) or rejects it. A passage once
-- suggested for a code is not suggested again, whatever was decided.
CREATE TABLE suggestions (
    id INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    code TEXT NOT NULL,
    start_offset INTEGER NOT NULL,
    end_offset INTEGER NOT NULL,
    rules TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'rejected')),
    created_at TEXT NOT NULL,
    decided_by TEXT,
    decided_at TEXT,
    UNIQUE (document_id, code, start_offset, end_offset),
    CHECK (0 <= start_offset AND start_offset < end_offset)
);

CREATE INDEX suggestions_pending ON suggestions(document_id) WHERE status = 'pending';
