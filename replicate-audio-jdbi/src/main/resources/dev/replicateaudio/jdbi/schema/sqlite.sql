-- replicate-audio schema, version 2, for SQLite 3.35.0 or later.
-- Idempotent: every statement is CREATE ... IF NOT EXISTS, so running it again changes nothing.
-- Hosts that migrate with Flyway or Liquibase can copy this file into their migrations. It equals the
-- numbered migrations under ../migrations/sqlite/ applied in order (V1__storage_tables.sql, V2__completion_events.sql;
-- SchemaMigrationTest compares the two); SchemaInstaller applies those and records them in ra_schema_version.
-- Timestamps are UTC instants as text of one fixed width, 'YYYY-MM-DD HH:MM:SS.SSSSSS' (SQLite's own
-- date format, to the microsecond), so they compare and sort as text; durations are whole microseconds.
-- Audio is stored in 256 KiB rows of ra_audio_chunks: sqlite-jdbc holds a whole value in memory.

-- One row per Replicate prediction: which content item it is for and where it stands.
CREATE TABLE IF NOT EXISTS ra_generation_jobs (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    prediction_id TEXT    NOT NULL,
    content_type  TEXT    NOT NULL,
    content_id    INTEGER NOT NULL,
    status        TEXT    NOT NULL,
    attempts      INTEGER NOT NULL DEFAULT 0,
    last_error    TEXT,
    created_at    TEXT    NOT NULL,
    updated_at    TEXT    NOT NULL,
    CONSTRAINT ra_generation_jobs_prediction_uk UNIQUE (prediction_id),
    CONSTRAINT ra_generation_jobs_status_ck CHECK (status IN ('PENDING', 'PROCESSING', 'SUCCEEDED', 'FAILED')),
    CONSTRAINT ra_generation_jobs_attempts_ck CHECK (attempts >= 0)
);

-- claimStale: unfinished jobs by age.
CREATE INDEX IF NOT EXISTS ra_generation_jobs_stale_idx ON ra_generation_jobs (status, updated_at);

-- findLatest: a content item's jobs by creation time.
CREATE INDEX IF NOT EXISTS ra_generation_jobs_content_idx ON ra_generation_jobs (content_type, content_id, created_at);

-- The result log: one row each time processing a prediction's result ended.
CREATE TABLE IF NOT EXISTS ra_generation_results (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    prediction_id        TEXT    NOT NULL,
    content_type         TEXT    NOT NULL,
    content_id           INTEGER NOT NULL,
    status               TEXT    NOT NULL,
    error                TEXT,
    audio_bytes          INTEGER NOT NULL,
    original_duration_us INTEGER,
    final_duration_us    INTEGER,
    processing_time_us   INTEGER NOT NULL,
    recorded_at          TEXT    NOT NULL,
    CONSTRAINT ra_generation_results_status_ck CHECK (status IN ('SUCCEEDED', 'FAILED', 'CANCELED'))
);

CREATE INDEX IF NOT EXISTS ra_generation_results_prediction_idx ON ra_generation_results (prediction_id, recorded_at);

-- The default audio table: what is stored for each content item; the bytes are in ra_audio_chunks.
CREATE TABLE IF NOT EXISTS ra_audio (
    content_type TEXT    NOT NULL,
    content_id   INTEGER NOT NULL,
    mime_type    TEXT    NOT NULL,
    size_bytes   INTEGER NOT NULL,
    sha256       TEXT    NOT NULL,
    duration_us  INTEGER,
    updated_at   TEXT    NOT NULL,
    CONSTRAINT ra_audio_pk PRIMARY KEY (content_type, content_id)
);

-- The audio's bytes in parts of 256 KiB (the last one shorter), numbered from 0, written in the same
-- transaction as the ra_audio row.
CREATE TABLE IF NOT EXISTS ra_audio_chunks (
    content_type TEXT    NOT NULL,
    content_id   INTEGER NOT NULL,
    seq          INTEGER NOT NULL,
    data         BLOB    NOT NULL,
    CONSTRAINT ra_audio_chunks_pk PRIMARY KEY (content_type, content_id, seq)
);

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
