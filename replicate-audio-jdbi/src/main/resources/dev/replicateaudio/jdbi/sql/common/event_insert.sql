-- One completion for PollingCompletionBridge.
INSERT INTO ra_completion_events (instance_id, content_type, content_id, status, prediction_id, error, created_at)
VALUES (:instance_id, :content_type, :content_id, :status, :prediction_id, :error, :created_at)
