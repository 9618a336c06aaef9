DELETE FROM ra_audio_chunks WHERE content_type = :content_type AND content_id = :content_id
