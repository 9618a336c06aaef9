-- Inserts a job. H2 raises a unique violation (23505) for a prediction id that exists, which
-- leaves its transaction usable; the store reads that as "not inserted".
INSERT INTO ra_generation_jobs (prediction_id, content_type, content_id, status, attempts, created_at, updated_at)
VALUES (:prediction_id, :content_type, :content_id, :status, :attempts, :now, :now)
