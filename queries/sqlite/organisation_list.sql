-- One page of a tenant's organisations, in key order. Parameters: :tenant, :after, :limit.
SELECT * FROM organisations WHERE tenant = :tenant AND id > :after ORDER BY id LIMIT :limit
