-- replicate-audio migration V2 (completion_events) for MySQL 8.0.1 or later and MariaDB 10.6 or later (InnoDB).
-- The table PollingCompletionBridge carries completions in.
-- Idempotent (IF NOT EXISTS), so SchemaInstaller can run it again after a failure part-way on a
-- database whose DDL is not transactional. Its undo script is U2__completion_events.sql beside it.

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
