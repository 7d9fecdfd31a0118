// Drop a claim that is still pending with this token (its write failed or never committed),
// or a record that was never saved (state 'new', made by idempotency_lock in this
// transaction). Parameters: $tenant, $key, $token.
MATCH (k:IdempotencyKey {tenant: $tenant, key: $key})
WHERE (k.state = 'pending' AND k.token = $token) OR k.state = 'new'
DELETE k
