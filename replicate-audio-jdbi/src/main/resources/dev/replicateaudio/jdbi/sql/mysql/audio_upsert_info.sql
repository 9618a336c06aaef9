-- Inserts or replaces the audio row (its bytes go to ra_audio_chunks). Only parameters and the
-- row's own columns: VALUES() is deprecated on MySQL and its replacement alias is MySQL-only.
INSERT INTO ra_audio (content_type, content_id, mime_type, size_bytes, sha256, duration_us, updated_at)
VALUES (:content_type, :content_id, :mime_type, :size_bytes, :sha256, :duration_us, :updated_at)
ON DUPLICATE KEY UPDATE mime_type = :mime_type, size_bytes = :size_bytes, sha256 = :sha256,
    duration_us = :duration_us, updated_at = :updated_at
