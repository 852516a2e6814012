-- What each validation forum decided about each finding it discussed.
CREATE TABLE forum_outcomes (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    finding_id INTEGER NOT NULL REFERENCES findings(id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('validated', 'amended', 'rejected', 'added')),
    wording_fr TEXT,
    wording_en TEXT,
    reasons TEXT,
    agreement TEXT NOT NULL CHECK (agreement IN ('consensus', 'majority', 'split')),
    position INTEGER NOT NULL,
    UNIQUE (session_id, finding_id)
);

CREATE INDEX forum_outcomes_finding ON forum_outcomes(finding_id);

-- Follow-up actions: who took part (counts by group and gender) and what
-- came of it.
ALTER TABLE actions ADD COLUMN outcome_notes TEXT;

CREATE TABLE action_participants (
    action_id INTEGER NOT NULL REFERENCES actions(id) ON DELETE CASCADE,
    group_id INTEGER NOT NULL REFERENCES stakeholder_groups(id),
    gender TEXT NOT NULL,
    count INTEGER NOT NULL CHECK (count > 0),
    position INTEGER NOT NULL,
    PRIMARY KEY (action_id, group_id, gender)
);
