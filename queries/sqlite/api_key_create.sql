-- Parameters: :id, :tenant, :role, :name, :secret_hash, :created_at.
INSERT INTO api_keys (id, tenant, role, name, secret_hash, created_at)
VALUES (:id, :tenant, :role, :name, :secret_hash, :created_at)
RETURNING *
