// Rewrite a (locked) idempotency record in place: `+=` keeps tenant and key (the unique
// key) untouched, and null values remove the properties they name.
// Parameters: $tenant, $key, $row (state, fingerprint, token, lease_until, expires_at,
// status, body, headers, created_at).
MATCH (k:IdempotencyKey {tenant: $tenant, key: $key})
SET k += $row
