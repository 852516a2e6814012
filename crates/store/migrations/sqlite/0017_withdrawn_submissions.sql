-- A withdrawn participant's submissions lose their answers, repeat rows,
-- date and links; only the key stays, with the time of the withdrawal, so
-- that importing the same export again does not bring them back.
ALTER TABLE submissions ADD COLUMN withdrawn_at TEXT;
