// Delete up to $limit deliveries that were delivered or failed before $before (retention).
// Parameters: $before (epoch seconds), $limit.
MATCH (d:WebhookDelivery)
WHERE d.status IN ['delivered', 'failed'] AND d.settled_at < $before
WITH d LIMIT $limit
DELETE d
RETURN count(*) AS deleted
