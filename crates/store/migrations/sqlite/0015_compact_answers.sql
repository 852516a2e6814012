-- Answers were JSON objects of strings; they become length-prefixed pairs
-- (`4:/age2:35`, see `sankore_domain::Answers`), which imports write
-- without escaping and exports read without a JSON parser. A re-import
-- now compares a known submission's answers themselves, so the
-- fingerprint column goes.
UPDATE submissions SET answers = coalesce((
    SELECT group_concat(pair, '') FROM (
        SELECT length(CAST(key AS BLOB)) || ':' || key
            || length(CAST(value AS BLOB)) || ':' || value AS pair
        FROM json_each(submissions.answers) ORDER BY id
    )
), '');

UPDATE submission_repeats SET answers = coalesce((
    SELECT group_concat(pair, '') FROM (
        SELECT length(CAST(key AS BLOB)) || ':' || key
            || length(CAST(value AS BLOB)) || ':' || value AS pair
        FROM json_each(submission_repeats.answers) ORDER BY id
    )
), '');

ALTER TABLE submissions DROP COLUMN fingerprint;
