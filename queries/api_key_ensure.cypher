// Create the key unless its hash is known. Parameters: $row.
MERGE (k:ApiKey {secret_hash: $row.secret_hash})
ON CREATE SET k = $row
RETURN properties(k) AS node
