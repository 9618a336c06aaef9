-- The audio row without its bytes, locked against a concurrent replace while its slices are read.
SELECT content_type, content_id, mime_type, size_bytes, sha256, duration_us, updated_at
FROM ra_audio WHERE content_type = ? AND content_id = ? FOR SHARE
