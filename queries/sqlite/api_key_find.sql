-- Parameters: :secret_hash.
SELECT * FROM api_keys WHERE secret_hash = :secret_hash
