-- Inserts a job unless its prediction id exists. ON DUPLICATE KEY UPDATE (a no-op here) takes an
-- exclusive lock on an existing row, where a plain INSERT failing with 1062 would leave a shared one
-- that deadlocks concurrent claimers; INSERT IGNORE would also hide data errors. The update count
-- does not tell inserted from existing (CLIENT_FOUND_ROWS), so the store reads the row after it.
INSERT INTO ra_generation_jobs (prediction_id, content_type, content_id, status, attempts, created_at, updated_at)
VALUES (:prediction_id, :content_type, :content_id, :status, :attempts, :now, :now)
ON DUPLICATE KEY UPDATE id = id
