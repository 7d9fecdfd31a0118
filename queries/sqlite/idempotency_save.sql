-- Write an idempotency record whole. Parameters: :tenant, :key, :state, :fingerprint, :token,
-- :lease_until, :expires_at, :status, :body, :headers, :created_at.
INSERT OR REPLACE INTO idempotency_keys (tenant, key, state, fingerprint, token, lease_until,
    expires_at, status, body, headers, created_at)
VALUES (:tenant, :key, :state, :fingerprint, :token, :lease_until, :expires_at, :status, :body,
    :headers, :created_at)
