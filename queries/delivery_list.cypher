// One page of a webhook's deliveries, oldest first (delivery ids are time-ordered), of one
// status or all (''). Parameters: $tenant, $webhook_id, $status, $after, $limit.
MATCH (d:WebhookDelivery {tenant: $tenant, webhook_id: $webhook_id})
WHERE d.id > $after AND ($status = '' OR d.status = $status)
RETURN d {.tenant, .id, .webhook_id, .event, .event_id, .org_id, .status, .attempts,
    .next_attempt_at, .last_status_code, .last_error, .last_attempt_at, .created_at,
    .delivered_at} AS node
ORDER BY d.id
LIMIT $limit
