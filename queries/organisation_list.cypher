// One page of a tenant's organisations. Parameters: $tenant, $after, $limit.
// Ordered as the (tenant, id) key index is, so a page reads $limit rows, not the tenant's.
MATCH (o:Organisation {tenant: $tenant})
WHERE o.id > $after
RETURN properties(o) AS node
ORDER BY o.tenant, o.id
LIMIT $limit
