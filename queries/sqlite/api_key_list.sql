-- Parameters: :tenant.
SELECT * FROM api_keys WHERE tenant = :tenant ORDER BY created_at, id
