-- replicate-audio undo of migration V2 (completion_events) for SQLite 3.35.0 or later: takes the schema back to version 1.
-- Drops the completion events of PollingCompletionBridge (transient: rows live for the bridges' retention).
-- Idempotent (IF EXISTS), so SchemaInstaller can run it again after a failure part-way on a database
-- whose DDL is not transactional.

DROP TABLE IF EXISTS ra_completion_events;
