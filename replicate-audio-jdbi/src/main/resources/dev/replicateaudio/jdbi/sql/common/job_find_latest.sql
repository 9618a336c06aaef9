-- The most recently created job of a content item (the later id wins a tie).
SELECT prediction_id, content_type, content_id, status, attempts, last_error, created_at, updated_at
FROM ra_generation_jobs WHERE content_type = :content_type AND content_id = :content_id
ORDER BY created_at DESC, id DESC
LIMIT 1
