SELECT data FROM ra_audio_chunks WHERE content_type = ? AND content_id = ? AND seq = ?
