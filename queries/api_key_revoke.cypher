// Parameters: $tenant, $key_id, $now.
MATCH (k:ApiKey {tenant: $tenant, id: $key_id})
SET k.revoked_at = coalesce(k.revoked_at, $now)
RETURN properties(k) AS node
