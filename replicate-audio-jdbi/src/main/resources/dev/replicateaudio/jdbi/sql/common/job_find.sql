SELECT prediction_id, content_type, content_id, status, attempts, last_error, created_at, updated_at
FROM ra_generation_jobs WHERE prediction_id = :prediction_id
