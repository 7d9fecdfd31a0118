// Add deliveries to the outbox (in the transaction of the change they report).
// Parameters: $rows (maps of tenant, id, webhook_id, event, event_id, org_id, subjects,
// payload, status, attempts, next_attempt_at, created_at).
UNWIND $rows AS row
CREATE (d:WebhookDelivery)
SET d = row
