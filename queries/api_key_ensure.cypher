// Create the key unless its hash is known; either way answer the stored key.
// Parameters: $id, $tenant, $role, $name, $secret_hash, $created_at.
MERGE (k:ApiKey {secret_hash: $secret_hash})
ON CREATE SET k.id = $id, k.tenant = $tenant, k.role = $role, k.name = $name,
              k.created_at = $created_at
RETURN properties(k) AS node
