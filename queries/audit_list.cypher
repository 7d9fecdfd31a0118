// One page of a tenant's audit log, oldest first. Parameters: $tenant, $after, $limit.
MATCH (a:AuditEntry {tenant: $tenant})
WHERE a.id > $after
RETURN properties(a) AS node
ORDER BY a.id
LIMIT $limit
