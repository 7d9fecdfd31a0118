// One delivery of a webhook, with its payload. Parameters: $tenant, $webhook_id,
// $delivery_id.
MATCH (d:WebhookDelivery {id: $delivery_id})
WHERE d.tenant = $tenant AND d.webhook_id = $webhook_id
RETURN d {.tenant, .id, .webhook_id, .event, .event_id, .org_id, .status, .attempts,
    .next_attempt_at, .last_status_code, .last_error, .last_attempt_at, .created_at,
    .delivered_at, .payload} AS node
