// Parameters: $key_id, $now.
MATCH (k:ApiKey {id: $key_id})
SET k.last_used_at = $now
