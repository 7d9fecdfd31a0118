-- Claim up to :limit due deliveries, oldest due first, of every tenant: each gets the
-- caller's lease (an attempt is counted now, so a worker that dies mid-send cannot retry
-- forever) and is not due again until :lease_until. BEGIN IMMEDIATE holds the write lock, so
-- two workers never claim one delivery. Answers the claimed deliveries with their webhook's
-- url and secret. Parameters: :now, :lease, :lease_until, :limit.
UPDATE webhook_deliveries
SET lease = :lease, attempts = attempts + 1, next_attempt_at = :lease_until
WHERE id IN (
    SELECT d.id FROM webhook_deliveries AS d
    JOIN webhooks AS w ON w.tenant = d.tenant AND w.id = d.webhook_id
    WHERE d.status = 'pending' AND d.next_attempt_at <= :now
    ORDER BY d.next_attempt_at LIMIT :limit
);
SELECT d.tenant, d.id, d.webhook_id, d.event, d.payload, d.attempts, d.lease, w.url, w.secret
FROM webhook_deliveries AS d
JOIN webhooks AS w ON w.tenant = d.tenant AND w.id = d.webhook_id
WHERE d.status = 'pending' AND d.next_attempt_at = :lease_until AND d.lease = :lease
