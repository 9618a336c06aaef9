-- One chunk of at most 256 KiB; seq counts from 0.
INSERT INTO ra_audio_chunks (content_type, content_id, seq, data) VALUES (?, ?, ?, ?)
