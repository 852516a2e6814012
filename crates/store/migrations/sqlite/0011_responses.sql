-- Responses to forms, imported from KoBoToolbox and ODK Central exports.
-- A submission is keyed by its `_uuid` / instance ID within its form, so a
-- re-import adds only new ones; its fingerprint (SHA-256 of its answers and
-- repeat rows) tells a changed one from an unchanged one.
CREATE TABLE response_forms (
    id INTEGER PRIMARY KEY,
    study_id INTEGER NOT NULL REFERENCES studies(id),
    form_key TEXT NOT NULL,
    -- The instrument (settings, survey tree, choices) as JSON, as of the
    -- latest import: labels and types for exports.
    definition TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (study_id, form_key)
);

CREATE TABLE submissions (
    id INTEGER PRIMARY KEY,
    form_id INTEGER NOT NULL REFERENCES response_forms(id),
    key TEXT NOT NULL,
    submitted_at TEXT,
    origin TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    -- Question path → value, a JSON object of strings.
    answers TEXT NOT NULL,
    participant_code TEXT,
    session_code TEXT,
    imported_at TEXT NOT NULL,
    UNIQUE (form_id, key)
);

CREATE TABLE submission_repeats (
    id INTEGER PRIMARY KEY,
    submission_id INTEGER NOT NULL REFERENCES submissions(id) ON DELETE CASCADE,
    -- Order of the row within its submission (parents first).
    position INTEGER NOT NULL,
    repeat_path TEXT NOT NULL,
    -- Position of the parent row; NULL when the parent is the submission.
    parent_position INTEGER,
    answers TEXT NOT NULL,
    UNIQUE (submission_id, position)
);
