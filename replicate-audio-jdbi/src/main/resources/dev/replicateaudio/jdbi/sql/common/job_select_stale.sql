-- Unfinished jobs last changed before the cutoff, oldest first, locked; rows another recoverer holds
-- are skipped. PostgreSQL locks before it applies the limit; H2 applies the limit first.
SELECT prediction_id, content_type, content_id, status, attempts, last_error, created_at, updated_at, id
FROM ra_generation_jobs
WHERE status IN ('PENDING', 'PROCESSING') AND updated_at < :cutoff
ORDER BY updated_at, id
FETCH FIRST <limit> ROWS ONLY FOR UPDATE SKIP LOCKED
