-- job_claim_pending in one statement that also returns the claimed row: H2's data change delta
-- table (FINAL TABLE) holds the rows as the UPDATE left them; the UPDATE locks and re-checks as alone.
SELECT prediction_id, content_type, content_id, status, attempts, last_error, created_at, updated_at
FROM FINAL TABLE (
  UPDATE ra_generation_jobs SET status = 'PROCESSING', attempts = attempts + 1, updated_at = :now
  WHERE prediction_id = :prediction_id AND content_type = :content_type AND content_id = :content_id
    AND status = 'PENDING'
)
