-- job_transition and job_log_result in one statement (one round trip): the result row is inserted
-- only when the fenced move changed the job, so 0 rows means the move was refused.
WITH moved AS (
  UPDATE ra_generation_jobs SET status = :status, updated_at = :now, last_error = COALESCE(:last_error, last_error)
  WHERE prediction_id = :prediction_id AND status IN (<from>)
  RETURNING prediction_id
)
INSERT INTO ra_generation_results (prediction_id, content_type, content_id, status, error, audio_bytes,
    original_duration_us, final_duration_us, processing_time_us, recorded_at)
SELECT prediction_id, :content_type, :content_id, :result_status, :error, :audio_bytes,
    :original_duration_us, :final_duration_us, :processing_time_us, :recorded_at
FROM moved
