// Find or create the record of an idempotency key, take its write lock for the rest of the
// transaction, and read it under the lock (see organisation_lock); a new record has state
// 'new' until the caller saves it. Parameters: $tenant, $key.
MERGE (k:IdempotencyKey {tenant: $tenant, key: $key})
ON CREATE SET k.state = 'new'
SET k._lock = true
REMOVE k._lock
RETURN properties(k) AS node
