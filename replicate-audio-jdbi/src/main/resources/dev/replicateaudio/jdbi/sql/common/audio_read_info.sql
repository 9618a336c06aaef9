-- The audio row without its bytes, before they are read in parts. SQLite needs no lock: the
-- transaction holds the database's write lock (IMMEDIATE), so nothing replaces the parts meanwhile.
SELECT content_type, content_id, mime_type, size_bytes, sha256, duration_us, updated_at
FROM ra_audio WHERE content_type = ? AND content_id = ?
