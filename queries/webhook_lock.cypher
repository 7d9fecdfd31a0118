// Take a webhook's write lock and read its version under it (see organisation_lock).
// Parameters: $tenant, $webhook_id.
MATCH (w:Webhook {tenant: $tenant, id: $webhook_id})
SET w._lock = true
REMOVE w._lock
RETURN w.version AS version
