// Parameters: $row (key properties, secret_hash included).
CREATE (k:ApiKey)
SET k = $row
RETURN properties(k) AS node
