// Claim up to $limit due deliveries, oldest due first, of every tenant: each gets the
// caller's lease (an attempt is counted now, so a worker that dies mid-send cannot retry
// forever) and is not due again until $lease_until. The due test is repeated after the
// write lock is taken (see organisation_lock), so two workers never claim one delivery.
// Answers the claimed deliveries with their webhook's url and secret.
// Parameters: $now, $lease, $lease_until, $limit.
MATCH (d:WebhookDelivery)
WHERE d.status = 'pending' AND d.next_attempt_at <= $now
WITH d ORDER BY d.next_attempt_at LIMIT $limit
SET d._lock = true
REMOVE d._lock
WITH d
WHERE d.status = 'pending' AND d.next_attempt_at <= $now
MATCH (w:Webhook {tenant: d.tenant, id: d.webhook_id})
SET d.lease = $lease, d.attempts = d.attempts + 1, d.next_attempt_at = $lease_until
RETURN d {.tenant, .id, .webhook_id, .event, .payload, .attempts, .lease,
    url: w.url, secret: w.secret} AS node
