-- The framework method's summaries: what a researcher writes in a cell of
-- the cases × themes matrix. A case is a participant code, a focus-group
-- speaker (`SESSION/label`) or a session code.
CREATE TABLE framework_summaries (
    study_id INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
    case_key TEXT NOT NULL,
    code_id INTEGER NOT NULL REFERENCES codes(id) ON DELETE CASCADE,
    summary TEXT NOT NULL,
    author TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (study_id, case_key, code_id)
);
