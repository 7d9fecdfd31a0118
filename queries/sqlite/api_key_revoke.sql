-- Parameters: :tenant, :key_id, :now.
UPDATE api_keys SET revoked_at = COALESCE(revoked_at, :now)
WHERE tenant = :tenant AND id = :key_id
RETURNING *
