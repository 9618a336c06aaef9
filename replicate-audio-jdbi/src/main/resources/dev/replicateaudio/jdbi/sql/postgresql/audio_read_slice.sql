-- One slice of the audio: the driver receives a bytea value whole, so it is read in parts. With
-- the column's STORAGE EXTERNAL (schema) PostgreSQL fetches only the TOAST chunks of the slice.
SELECT substring(audio FROM ? FOR ?) FROM ra_audio WHERE content_type = ? AND content_id = ?
