-- Completions after the cursor, in id order. Ids are handed out at insert and become visible at
-- commit, so the bridge reads again from a little before its cursor and drops what it has seen.
SELECT id, instance_id, content_type, content_id, status, prediction_id, error
FROM ra_completion_events WHERE id > :after ORDER BY id LIMIT <limit>
