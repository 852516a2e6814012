-- Disclosure control: the study's settings (threshold, declared
-- quasi-identifiers, known sizes of small real populations) and people's
-- decisions on flagged quotes. A decision holds for the text it was made
-- on (its SHA-256): when the quoted text changes, the quote is scanned
-- and, if flagged, blocked again.
CREATE TABLE disclosure_settings (
    study_id INTEGER PRIMARY KEY REFERENCES studies(id) ON DELETE CASCADE,
    k INTEGER NOT NULL CHECK (k BETWEEN 3 AND 10),
    quasi_identifiers TEXT NOT NULL,
    populations TEXT NOT NULL
);

CREATE TABLE quote_reviews (
    finding_id INTEGER NOT NULL REFERENCES findings(id) ON DELETE CASCADE,
    coding_id INTEGER NOT NULL REFERENCES codings(id) ON DELETE CASCADE,
    text_sha256 TEXT NOT NULL,
    decision TEXT NOT NULL CHECK (decision IN ('approved', 'edited')),
    edited_text TEXT,
    reason TEXT NOT NULL CHECK (length(trim(reason)) > 0),
    actor TEXT NOT NULL,
    decided_at TEXT NOT NULL,
    PRIMARY KEY (finding_id, coding_id),
    CHECK ((decision = 'edited') = (edited_text IS NOT NULL))
);
