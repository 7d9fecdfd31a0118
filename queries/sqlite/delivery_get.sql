-- One delivery of a webhook, with its payload. Parameters: :tenant, :webhook_id,
-- :delivery_id.
SELECT tenant, id, webhook_id, event, event_id, org_id, status, attempts, next_attempt_at,
    last_status_code, last_error, last_attempt_at, created_at, delivered_at, payload
FROM webhook_deliveries
WHERE tenant = :tenant AND webhook_id = :webhook_id AND id = :delivery_id
