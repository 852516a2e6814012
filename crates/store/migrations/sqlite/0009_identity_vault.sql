-- The identity vault, consent withdrawal and study settings.
--
-- Identities (names, phone numbers, exact locations) are sealed to the
-- vault's X25519 public key (sankore-vault): inside this encrypted database
-- they are a second time encrypted, under a key only coordinators can
-- unwrap. Everything else refers to participants by pseudonymous code.

-- The vault's public key and the key of the name-token index (one row).
CREATE TABLE vault_keys (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    public_key BLOB NOT NULL CHECK (length(public_key) = 32),
    name_key BLOB NOT NULL CHECK (length(name_key) = 32),
    created_at TEXT NOT NULL
);

-- The vault's secret key wrapped under each coordinator's password (JSON
-- of sankore_vault::WrappedSecret).
CREATE TABLE vault_grants (
    user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    wrapped TEXT NOT NULL,
    granted_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- One sealed identity per participant; gone with the participant.
CREATE TABLE vault_identities (
    participant_id INTEGER PRIMARY KEY REFERENCES participants(id) ON DELETE CASCADE,
    sealed BLOB NOT NULL,
    updated_at TEXT NOT NULL
);

-- HMAC-SHA256 of folded name tokens, with how many identities use each.
-- Not linked to participants, so the index answers "is this a name?" and
-- nothing about whose.
CREATE TABLE vault_name_tokens (
    digest BLOB PRIMARY KEY CHECK (length(digest) = 32),
    uses INTEGER NOT NULL CHECK (uses > 0)
) WITHOUT ROWID;

-- Settings a coordinator controls.
CREATE TABLE study_settings (
    study_id INTEGER PRIMARY KEY REFERENCES studies(id) ON DELETE CASCADE,
    identity_retention_until TEXT,
    coders_see_assigned_only INTEGER NOT NULL DEFAULT 0 CHECK (coders_see_assigned_only IN (0, 1))
);

-- A document's text changes only when a withdrawal redacts it; readers
-- that keep documents in memory compare this version.
ALTER TABLE documents ADD COLUMN text_version INTEGER NOT NULL DEFAULT 0;
