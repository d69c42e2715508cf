-- When an update was handled (Unix seconds), so records older than Telegram's 24 hours of
-- redelivery can be pruned. Rows from before this migration count as old.
ALTER TABLE handled_updates ADD COLUMN handled_at BIGINT NOT NULL DEFAULT 0;
CREATE INDEX handled_updates_by_time ON handled_updates (handled_at);

-- Group replies to delete later (/settings autodelete), kept here so a restart forgets none.
-- Only ids: no text.
CREATE TABLE pending_deletions (
    chat_id    BIGINT NOT NULL,
    message_id BIGINT NOT NULL,
    delete_at  BIGINT NOT NULL,
    PRIMARY KEY (chat_id, message_id)
);
CREATE INDEX pending_deletions_by_time ON pending_deletions (delete_at);
