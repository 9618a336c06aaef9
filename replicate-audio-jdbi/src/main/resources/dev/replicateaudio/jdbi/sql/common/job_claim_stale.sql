-- Claims one job the sweep has locked (or, on SQLite, read under the write lock).
UPDATE ra_generation_jobs SET status = 'PROCESSING', attempts = attempts + 1, updated_at = :now
WHERE id = :id AND status IN ('PENDING', 'PROCESSING')
