-- Inserts or replaces a row of the default audio table, the audio streamed into its BLOB.
MERGE INTO ra_audio (content_type, content_id, audio, mime_type, size_bytes, sha256, duration_us, updated_at)
KEY (content_type, content_id)
VALUES (:content_type, :content_id, :audio, :mime_type, :size_bytes, :sha256, :duration_us, :updated_at)
