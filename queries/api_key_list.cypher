// Parameters: $tenant.
MATCH (k:ApiKey {tenant: $tenant})
RETURN properties(k) AS node
ORDER BY k.created_at, k.id
