-- An idempotency key's record, read under the write lock BEGIN IMMEDIATE holds.
-- Parameters: :tenant, :key.
SELECT * FROM idempotency_keys WHERE tenant = :tenant AND key = :key
