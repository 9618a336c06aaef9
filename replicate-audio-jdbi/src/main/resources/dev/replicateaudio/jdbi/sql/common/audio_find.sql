SELECT content_type, content_id, mime_type, size_bytes, sha256, duration_us, updated_at
FROM ra_audio WHERE content_type = :content_type AND content_id = :content_id
