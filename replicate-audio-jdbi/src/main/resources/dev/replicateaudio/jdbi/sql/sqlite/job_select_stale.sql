-- Unfinished jobs last changed before the cutoff, oldest first. No lock clause: SQLite admits one
-- writer at a time (the pool begins every transaction IMMEDIATE), so two recoverers never overlap.
SELECT prediction_id, content_type, content_id, status, attempts, last_error, created_at, updated_at, id
FROM ra_generation_jobs
WHERE status IN ('PENDING', 'PROCESSING') AND updated_at < :cutoff
ORDER BY updated_at, id
LIMIT <limit>
