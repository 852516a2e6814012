-- Quotes chosen as a finding's evidence: codings picked by an analyst.
-- Removing the coding (or withdrawing its speaker) removes the quote.
CREATE TABLE finding_quotes (
    finding_id INTEGER NOT NULL REFERENCES findings(id) ON DELETE CASCADE,
    coding_id INTEGER NOT NULL REFERENCES codings(id) ON DELETE CASCADE,
    added_at TEXT NOT NULL,
    PRIMARY KEY (finding_id, coding_id)
);
CREATE INDEX finding_quotes_by_coding ON finding_quotes(coding_id);
