-- Locks the sweep's candidates that are still stale (re-checked on the latest committed row),
-- skipping the ones another recoverer holds.
SELECT prediction_id, content_type, content_id, status, attempts, last_error, created_at, updated_at, id
FROM ra_generation_jobs
WHERE id IN (<ids>) AND status IN ('PENDING', 'PROCESSING') AND updated_at < :cutoff
ORDER BY updated_at, id
FOR UPDATE SKIP LOCKED
