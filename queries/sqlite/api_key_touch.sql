-- Parameters: :key_id, :now.
UPDATE api_keys SET last_used_at = :now WHERE id = :key_id
