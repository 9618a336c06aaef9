SELECT COALESCE(MAX(id), 0) FROM ra_completion_events
