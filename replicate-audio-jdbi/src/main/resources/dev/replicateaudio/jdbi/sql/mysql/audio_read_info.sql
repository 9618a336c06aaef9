-- The audio row without its bytes, locked against a concurrent replace while its chunks are read
-- (LOCK IN SHARE MODE: MariaDB has no FOR SHARE).
SELECT content_type, content_id, mime_type, size_bytes, sha256, duration_us, updated_at
FROM ra_audio WHERE content_type = ? AND content_id = ? LOCK IN SHARE MODE
