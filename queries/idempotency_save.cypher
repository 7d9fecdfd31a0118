// Rewrite (locked) idempotency records in place: `+=` keeps tenant and key (the unique key)
// as they are, and null values remove the properties they name.
// Parameters: $rows (maps of tenant, key, state, fingerprint, token, lease_until,
// expires_at, status, body, headers, created_at).
UNWIND $rows AS row
MATCH (k:IdempotencyKey {tenant: row.tenant, key: row.key})
SET k += row
