-- The audio row with its bytes, for databases whose driver streams a LOB out (H2).
SELECT content_type, content_id, mime_type, size_bytes, sha256, duration_us, updated_at, audio
FROM ra_audio WHERE content_type = ? AND content_id = ?
