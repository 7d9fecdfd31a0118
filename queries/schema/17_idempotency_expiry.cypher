// Purging expired idempotency records.
CREATE INDEX idempotency_expiry IF NOT EXISTS FOR (n:IdempotencyKey) ON (n.expires_at)
