-- Confirmed examples (`loanguard known`, /review): redacted text, label, family, who confirmed it
-- and when, and the MinHash fingerprint near-copies are found by. Nothing about the reporter.
-- text_hash (SHA-256 of the redacted text) keeps one row per text.
CREATE TABLE known_examples (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    label               TEXT    NOT NULL CHECK (label IN ('scam', 'suspicious', 'legit')),
    family              TEXT,
    redacted_text       TEXT    NOT NULL,
    text_hash           TEXT    NOT NULL UNIQUE,
    fingerprint         BLOB    NOT NULL,
    fingerprint_version BIGINT  NOT NULL,
    reviewer            TEXT    NOT NULL,
    confirmed_at        BIGINT  NOT NULL
);
-- Start-up looks for fingerprints made by an older version without reading every text.
CREATE INDEX known_by_version ON known_examples (fingerprint_version);

-- Removed examples, in order, so every instance can drop them from its index.
CREATE TABLE known_removals (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    example_id BIGINT  NOT NULL,
    removed_at BIGINT  NOT NULL
);

-- A submitted report is reviewed once: then its text moves to known_examples (or is dropped).
ALTER TABLE feedback ADD COLUMN reviewed_at BIGINT;
CREATE INDEX feedback_to_review ON feedback (reviewed_at, id);

-- A snapshot of every example's fingerprint in a few large rows, so start-up reads megabytes in
-- a handful of rows instead of 100,000 rows one by one. It covers examples up to upto_id and
-- removals up to removal_seq; what came later is read from the tables above. Rewritten whole.
CREATE TABLE known_snapshot (
    part        BIGINT NOT NULL PRIMARY KEY,
    upto_id     BIGINT NOT NULL,
    removal_seq BIGINT NOT NULL,
    data        BLOB   NOT NULL
);
