-- Drop a claim still pending with this token. Parameters: :tenant, :key, :token.
DELETE FROM idempotency_keys
WHERE tenant = :tenant AND key = :key AND state = 'pending' AND token = :token
