SELECT prediction_id, content_type, content_id, status, error, audio_bytes, original_duration_us,
    final_duration_us, processing_time_us, recorded_at
FROM ra_generation_results WHERE prediction_id = :prediction_id ORDER BY recorded_at, id
