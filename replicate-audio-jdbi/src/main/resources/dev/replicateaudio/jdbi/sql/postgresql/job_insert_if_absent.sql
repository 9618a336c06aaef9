-- Inserts a job unless its prediction id exists; skipping the conflict in SQL keeps a surrounding
-- transaction usable (a failed statement would abort it). 1 row when inserted, 0 when it existed.
INSERT INTO ra_generation_jobs (prediction_id, content_type, content_id, status, attempts, created_at, updated_at)
VALUES (:prediction_id, :content_type, :content_id, :status, :attempts, :now, :now)
ON CONFLICT (prediction_id) DO NOTHING
