-- Inserts or replaces a row of the default audio table, the audio streamed into its bytea.
INSERT INTO ra_audio (content_type, content_id, audio, mime_type, size_bytes, sha256, duration_us, updated_at)
VALUES (:content_type, :content_id, :audio, :mime_type, :size_bytes, :sha256, :duration_us, :updated_at)
ON CONFLICT (content_type, content_id) DO UPDATE SET audio = EXCLUDED.audio, mime_type = EXCLUDED.mime_type,
    size_bytes = EXCLUDED.size_bytes, sha256 = EXCLUDED.sha256, duration_us = EXCLUDED.duration_us,
    updated_at = EXCLUDED.updated_at
