-- Candidates for the sweep, oldest first, read without locks: with two statuses InnoDB sorts the
-- matches (filesort), and a locking read would lock every sorted row, leaving other recoverers
-- nothing. job_lock_stale then locks the candidates by primary key, skipping those held elsewhere.
SELECT id FROM ra_generation_jobs
WHERE status IN ('PENDING', 'PROCESSING') AND updated_at < :cutoff
ORDER BY updated_at, id
LIMIT <limit>
