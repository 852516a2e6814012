-- Account lock after repeated failed sign-ins. `failed_sign_ins` counts
-- consecutive failures (reset by a successful sign-in or an unlock);
-- `locked_at` is set when the count reaches the limit and stays set until a
-- coordinator unlocks the account (`sankore user unlock`).
ALTER TABLE users ADD COLUMN failed_sign_ins INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN locked_at TEXT;
