-- Inserts or replaces the audio row (its bytes go to ra_audio_chunks).
INSERT INTO ra_audio (content_type, content_id, mime_type, size_bytes, sha256, duration_us, updated_at)
VALUES (:content_type, :content_id, :mime_type, :size_bytes, :sha256, :duration_us, :updated_at)
ON CONFLICT (content_type, content_id) DO UPDATE SET mime_type = excluded.mime_type,
    size_bytes = excluded.size_bytes, sha256 = excluded.sha256, duration_us = excluded.duration_us,
    updated_at = excluded.updated_at
