// Whether any delivery is due: the worker's cheap look before it claims (a read).
// Parameters: $now (epoch seconds).
MATCH (d:WebhookDelivery)
WHERE d.status = 'pending' AND d.next_attempt_at <= $now
RETURN d.id AS id
LIMIT 1
