-- Moves a job to :status when its status is one of <from>; a null :error keeps the last error.
UPDATE ra_generation_jobs SET status = :status, updated_at = :now, last_error = COALESCE(:error, last_error)
WHERE prediction_id = :prediction_id AND status IN (<from>)
