-- replicate-audio schema, version 2, for MySQL 8.0.1 or later and MariaDB 10.6 or later (InnoDB).
-- Idempotent: every statement is CREATE TABLE IF NOT EXISTS, so running it again changes nothing.
-- Hosts that migrate with Flyway or Liquibase can copy this file into their migrations. It equals the
-- numbered migrations under ../migrations/mysql/ applied in order (V1__storage_tables.sql, V2__completion_events.sql;
-- SchemaMigrationTest compares the two); SchemaInstaller applies those and records them in ra_schema_version.
-- Timestamps are UTC instants in DATETIME(6) (no time zone conversion, no 2038 limit); durations are
-- whole microseconds. Text is utf8mb4 with binary collation: ids compare exactly, as on PostgreSQL.
-- Indexes are declared inside CREATE TABLE (MySQL has no CREATE INDEX IF NOT EXISTS).
-- Audio is stored in 256 KiB rows of ra_audio_chunks: both JDBC drivers hold a whole value in memory,
-- and no row comes near max_allowed_packet (16 MiB by default on MariaDB), so the server needs no tuning.

-- One row per Replicate prediction: which content item it is for and where it stands.
CREATE TABLE IF NOT EXISTS ra_generation_jobs (
    id            BIGINT       NOT NULL AUTO_INCREMENT,
    prediction_id VARCHAR(255) NOT NULL,
    content_type  VARCHAR(64)  NOT NULL,
    content_id    BIGINT       NOT NULL,
    status        VARCHAR(16)  NOT NULL,
    attempts      INTEGER      NOT NULL DEFAULT 0,
    last_error    VARCHAR(4000),
    created_at    DATETIME(6)  NOT NULL,
    updated_at    DATETIME(6)  NOT NULL,
    CONSTRAINT ra_generation_jobs_pk PRIMARY KEY (id),
    CONSTRAINT ra_generation_jobs_prediction_uk UNIQUE (prediction_id),
    CONSTRAINT ra_generation_jobs_status_ck CHECK (status IN ('PENDING', 'PROCESSING', 'SUCCEEDED', 'FAILED')),
    CONSTRAINT ra_generation_jobs_attempts_ck CHECK (attempts >= 0),
    -- claimStale: unfinished jobs by age
    INDEX ra_generation_jobs_stale_idx (status, updated_at),
    -- findLatest: a content item's jobs by creation time
    INDEX ra_generation_jobs_content_idx (content_type, content_id, created_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- The result log: one row each time processing a prediction's result ended.
CREATE TABLE IF NOT EXISTS ra_generation_results (
    id                   BIGINT       NOT NULL AUTO_INCREMENT,
    prediction_id        VARCHAR(255) NOT NULL,
    content_type         VARCHAR(64)  NOT NULL,
    content_id           BIGINT       NOT NULL,
    status               VARCHAR(16)  NOT NULL,
    error                VARCHAR(4000),
    audio_bytes          BIGINT       NOT NULL,
    original_duration_us BIGINT,
    final_duration_us    BIGINT,
    processing_time_us   BIGINT       NOT NULL,
    recorded_at          DATETIME(6)  NOT NULL,
    CONSTRAINT ra_generation_results_pk PRIMARY KEY (id),
    CONSTRAINT ra_generation_results_status_ck CHECK (status IN ('SUCCEEDED', 'FAILED', 'CANCELED')),
    INDEX ra_generation_results_prediction_idx (prediction_id, recorded_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- The default audio table: what is stored for each content item; the bytes are in ra_audio_chunks.
CREATE TABLE IF NOT EXISTS ra_audio (
    content_type VARCHAR(64)  NOT NULL,
    content_id   BIGINT       NOT NULL,
    mime_type    VARCHAR(255) NOT NULL,
    size_bytes   BIGINT       NOT NULL,
    sha256       CHAR(64)     NOT NULL,
    duration_us  BIGINT,
    updated_at   DATETIME(6)  NOT NULL,
    CONSTRAINT ra_audio_pk PRIMARY KEY (content_type, content_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- The audio's bytes in parts of 256 KiB (the last one shorter), numbered from 0, written in the same
-- transaction as the ra_audio row.
CREATE TABLE IF NOT EXISTS ra_audio_chunks (
    content_type VARCHAR(64) NOT NULL,
    content_id   BIGINT      NOT NULL,
    seq          INTEGER     NOT NULL,
    data         MEDIUMBLOB  NOT NULL,
    CONSTRAINT ra_audio_chunks_pk PRIMARY KEY (content_type, content_id, seq)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- Completions for PollingCompletionBridge; rows are deleted after the bridges' retention.
CREATE TABLE IF NOT EXISTS ra_completion_events (
    id            BIGINT       NOT NULL AUTO_INCREMENT,
    instance_id   VARCHAR(32)  NOT NULL,
    content_type  VARCHAR(64)  NOT NULL,
    content_id    BIGINT       NOT NULL,
    status        VARCHAR(16)  NOT NULL,
    prediction_id VARCHAR(255),
    error         VARCHAR(4000),
    created_at    DATETIME(6)  NOT NULL,
    CONSTRAINT ra_completion_events_pk PRIMARY KEY (id),
    INDEX ra_completion_events_created_idx (created_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
