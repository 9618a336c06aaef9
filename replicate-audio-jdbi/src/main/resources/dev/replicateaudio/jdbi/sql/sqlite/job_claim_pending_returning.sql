-- job_claim_pending in one statement that also returns the claimed row (no SELECT after it).
UPDATE ra_generation_jobs SET status = 'PROCESSING', attempts = attempts + 1, updated_at = :now
WHERE prediction_id = :prediction_id AND content_type = :content_type AND content_id = :content_id
  AND status = 'PENDING'
RETURNING prediction_id, content_type, content_id, status, attempts, last_error, created_at, updated_at
