-- Create the key unless its hash is known; either way answer the stored key.
-- Parameters: :id, :tenant, :role, :name, :secret_hash, :created_at.
INSERT INTO api_keys (id, tenant, role, name, secret_hash, created_at)
VALUES (:id, :tenant, :role, :name, :secret_hash, :created_at)
ON CONFLICT (secret_hash) DO NOTHING;
SELECT * FROM api_keys WHERE secret_hash = :secret_hash
