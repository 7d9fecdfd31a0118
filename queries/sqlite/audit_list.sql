-- One page of a tenant's audit log, oldest first. Parameters: :tenant, :after, :limit.
SELECT * FROM audit_log WHERE tenant = :tenant AND id > :after ORDER BY id LIMIT :limit
