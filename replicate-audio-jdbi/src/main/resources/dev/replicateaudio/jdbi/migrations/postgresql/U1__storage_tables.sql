-- replicate-audio undo of migration V1 (storage_tables) for PostgreSQL 12 or later: takes the schema back to version 0.
-- Drops every table of the first schema WITH ITS ROWS: jobs, results and stored audio are lost.
-- Idempotent (IF EXISTS), so SchemaInstaller can run it again after a failure part-way on a database
-- whose DDL is not transactional.

DROP TABLE IF EXISTS ra_audio;
DROP TABLE IF EXISTS ra_generation_results;
DROP TABLE IF EXISTS ra_generation_jobs;
