-- The answers of submissions imported together are stored together, in
-- blocks: one block holds the answers of up to a few hundred consecutive
-- submissions, each as its byte length, `:` and its answers (the pairs
-- text of `sankore_domain::Answers`). A block starts with `r` (the rest is
-- that text) or `l` (the rest is that text compressed with LZ4, its size
-- prepended). Question paths repeat in every submission and compress away:
-- a large import writes about a third of the bytes, all encrypted.
-- Existing submissions each get a block of their own, uncompressed.
CREATE TABLE answer_blocks (
    id INTEGER PRIMARY KEY,
    data BLOB NOT NULL
);

INSERT INTO answer_blocks (id, data)
SELECT id, CAST('r' || length(CAST(answers AS BLOB)) || ':' || answers AS BLOB)
FROM submissions;

-- A submission's answers: the block and the slot in it (0-based).
ALTER TABLE submissions ADD COLUMN answers_block INTEGER REFERENCES answer_blocks(id);
ALTER TABLE submissions ADD COLUMN answers_slot INTEGER NOT NULL DEFAULT 0;
UPDATE submissions SET answers_block = id;
ALTER TABLE submissions DROP COLUMN answers;
