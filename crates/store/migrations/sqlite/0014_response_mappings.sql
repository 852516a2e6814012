-- Mappings saved in the workbench, one per response form: the TOML text
-- exactly as `sankore import kobo|odk --mapping` reads it, who saved it
-- and when. `sankore import` without `--mapping` uses it.
CREATE TABLE response_mappings (
    form_id INTEGER PRIMARY KEY REFERENCES response_forms(id),
    mapping TEXT NOT NULL,
    saved_by TEXT NOT NULL,
    saved_at TEXT NOT NULL
);

-- When a mapping was applied to a submission (at import, or later from the
-- workbench); NULL while it is unlinked. Submissions linked before this
-- column existed are those that gave a participant or a session.
ALTER TABLE submissions ADD COLUMN linked_at TEXT;
UPDATE submissions SET linked_at = imported_at
WHERE participant_code IS NOT NULL OR session_code IS NOT NULL;
