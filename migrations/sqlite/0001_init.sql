-- LoanGuard storage, SQLite flavour. Keep in step with ../postgres/0001_init.sql: same tables,
-- same columns, same meaning. Integers are INTEGER/BIGINT (64-bit in SQLite), times are Unix
-- seconds, JSON is TEXT, booleans are 0/1 (sqlx's Any driver cannot read SQLite BOOLEAN).

-- teloxide dialogue state, one JSON document per chat.
CREATE TABLE dialogues (
    chat_id  BIGINT NOT NULL PRIMARY KEY,
    dialogue TEXT   NOT NULL
);

-- A user's saved repayment plan (JSON).
CREATE TABLE plans (
    user_id BIGINT NOT NULL PRIMARY KEY,
    plan    TEXT   NOT NULL
);

-- Monthly repayment reminders. hour is Asia/Shanghai; next_fire_at is the next slot.
CREATE TABLE reminders (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id       BIGINT  NOT NULL,
    chat_id       BIGINT  NOT NULL,
    day_of_month  INTEGER NOT NULL CHECK (day_of_month BETWEEN 1 AND 31),
    hour          INTEGER NOT NULL CHECK (hour BETWEEN 0 AND 23),
    label         TEXT    NOT NULL,
    next_fire_at  BIGINT  NOT NULL,
    last_fired_at BIGINT
);
CREATE INDEX reminders_by_user ON reminders (user_id);
CREATE INDEX reminders_by_chat ON reminders (chat_id);
CREATE INDEX reminders_due ON reminders (next_fire_at);

-- Verdict feedback. rule_ids is a JSON array of strings; redacted_text only after consent.
CREATE TABLE feedback (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id           BIGINT  NOT NULL,
    verdict           TEXT    NOT NULL,
    accurate          INTEGER NOT NULL CHECK (accurate IN (0, 1)),
    rule_ids          TEXT    NOT NULL,
    text_hash         TEXT    NOT NULL,
    created_at        BIGINT  NOT NULL,
    corrected_verdict TEXT,
    redacted_text     TEXT
);
CREATE INDEX feedback_by_user ON feedback (user_id);

-- Group options set by admins. NULL means the default (off / per-user language).
CREATE TABLE group_settings (
    chat_id             BIGINT NOT NULL PRIMARY KEY,
    auto_delete_minutes BIGINT CHECK (auto_delete_minutes IS NULL OR auto_delete_minutes > 0),
    language            TEXT
);

-- Telegram update ids already handled, so that several instances handle each update once.
CREATE TABLE handled_updates (
    update_id BIGINT NOT NULL PRIMARY KEY
);
