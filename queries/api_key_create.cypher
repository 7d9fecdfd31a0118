// Parameters: $id, $tenant, $role, $name, $secret_hash, $created_at.
CREATE (k:ApiKey {id: $id, tenant: $tenant, role: $role, secret_hash: $secret_hash,
                  created_at: $created_at})
SET k.name = $name
RETURN properties(k) AS node
