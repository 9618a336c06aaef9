-- PENDING -> PROCESSING, attempts + 1, for the job of this prediction id and content key. A
-- concurrent claimer waits for the row lock and re-checks the condition, so only one updates it.
UPDATE ra_generation_jobs SET status = 'PROCESSING', attempts = attempts + 1, updated_at = :now
WHERE prediction_id = :prediction_id AND content_type = :content_type AND content_id = :content_id
  AND status = 'PENDING'
