-- replicate-audio undo of migration V1 (storage_tables) for MySQL 8.0.1 or later and MariaDB 10.6 or later (InnoDB): takes the schema back to version 0.
-- Drops every table of the first schema WITH ITS ROWS: jobs, results and stored audio are lost.
-- Idempotent (IF EXISTS), so SchemaInstaller can run it again after a failure part-way on a database
-- whose DDL is not transactional.

DROP TABLE IF EXISTS ra_audio_chunks;
DROP TABLE IF EXISTS ra_audio;
DROP TABLE IF EXISTS ra_generation_results;
DROP TABLE IF EXISTS ra_generation_jobs;
