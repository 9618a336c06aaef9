-- replicate-audio undo of migration V2 (completion_events) for PostgreSQL 12 or later: takes the schema back to version 1.
-- Drops the completion events of PollingCompletionBridge (transient: rows live for the bridges' retention)
-- and gives ra_audio.audio bytea's default storage back (EXTENDED: compressed, out of line); stored values
-- keep the form they were written in.
-- Idempotent (IF EXISTS), so SchemaInstaller can run it again after a failure part-way on a database
-- whose DDL is not transactional.

DROP TABLE IF EXISTS ra_completion_events;

ALTER TABLE IF EXISTS ra_audio ALTER COLUMN audio SET STORAGE EXTENDED;
