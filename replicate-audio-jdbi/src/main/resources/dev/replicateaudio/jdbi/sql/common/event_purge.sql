-- Completions older than the bridges' retention.
DELETE FROM ra_completion_events WHERE created_at < :before
