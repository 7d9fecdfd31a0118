-- Delete expired idempotency records, at most :limit of them. Parameters: :now, :limit.
DELETE FROM idempotency_keys WHERE (tenant, key) IN (
    SELECT tenant, key FROM idempotency_keys WHERE expires_at <= :now LIMIT :limit
);
SELECT changes() AS deleted
