// Parameters: $secret_hash.
MATCH (k:ApiKey {secret_hash: $secret_hash})
RETURN properties(k) AS node
