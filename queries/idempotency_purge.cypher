// Delete expired idempotency records, at most $limit of them.
// Parameters: $now (epoch seconds), $limit.
MATCH (k:IdempotencyKey)
WHERE k.expires_at <= $now
WITH k LIMIT $limit
DELETE k
RETURN count(*) AS deleted
