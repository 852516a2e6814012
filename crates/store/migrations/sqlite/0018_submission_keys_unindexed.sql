-- Submission keys are unique per form because every import makes them so
-- inside its write transaction: the export's own keys are refused when two
-- are the same, and a key already stored is compared, never inserted
-- again. The unique index that checked it a second time made each new
-- submission a random insert into a B-tree of text keys, a sixth of a
-- large import's time, and lookups by key do not need it (an import reads
-- the form's keys in one pass). The table is rebuilt without it (SQLite
-- cannot drop a table constraint); `sankore check` still looks for a key
-- stored twice. Migrations run with foreign key enforcement off, so
-- dropping the old table leaves the repeat rows that point to it alone.
CREATE TABLE submissions_rebuilt (
    id INTEGER PRIMARY KEY,
    form_id INTEGER NOT NULL REFERENCES response_forms(id),
    key TEXT NOT NULL,
    submitted_at TEXT,
    origin TEXT NOT NULL,
    participant_code TEXT,
    session_code TEXT,
    imported_at TEXT NOT NULL,
    -- When a mapping was applied to it; NULL while unlinked (0014).
    linked_at TEXT,
    -- Its answers: the block and the slot in it, 0-based (0016).
    answers_block INTEGER REFERENCES answer_blocks(id),
    answers_slot INTEGER NOT NULL DEFAULT 0,
    -- When its participant withdrew; only the key stays (0017).
    withdrawn_at TEXT
);

INSERT INTO submissions_rebuilt (id, form_id, key, submitted_at, origin, participant_code,
                                 session_code, imported_at, linked_at, answers_block,
                                 answers_slot, withdrawn_at)
SELECT id, form_id, key, submitted_at, origin, participant_code,
       session_code, imported_at, linked_at, answers_block,
       answers_slot, withdrawn_at
FROM submissions;

DROP TABLE submissions;
ALTER TABLE submissions_rebuilt RENAME TO submissions;
