-- replicate-audio migration V2 (completion_events) for SQLite 3.35.0 or later.
-- The table PollingCompletionBridge carries completions in.
-- Idempotent (IF NOT EXISTS), so SchemaInstaller can run it again after a failure part-way on a
-- database whose DDL is not transactional. Its undo script is U2__completion_events.sql beside it.

-- Completions for PollingCompletionBridge; rows are deleted after the bridges' retention.
CREATE TABLE IF NOT EXISTS ra_completion_events (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    instance_id   TEXT    NOT NULL,
    content_type  TEXT    NOT NULL,
    content_id    INTEGER NOT NULL,
    status        TEXT    NOT NULL,
    prediction_id TEXT,
    error         TEXT,
    created_at    TEXT    NOT NULL
);

CREATE INDEX IF NOT EXISTS ra_completion_events_created_idx ON ra_completion_events (created_at);
