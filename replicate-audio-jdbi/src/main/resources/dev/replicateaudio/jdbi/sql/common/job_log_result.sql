INSERT INTO ra_generation_results (prediction_id, content_type, content_id, status, error, audio_bytes,
    original_duration_us, final_duration_us, processing_time_us, recorded_at)
VALUES (:prediction_id, :content_type, :content_id, :status, :error, :audio_bytes,
    :original_duration_us, :final_duration_us, :processing_time_us, :recorded_at)
