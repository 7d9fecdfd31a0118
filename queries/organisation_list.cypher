// One page of a tenant's organisations. Parameters: $tenant, $after, $limit.
MATCH (o:Organisation {tenant: $tenant})
WHERE o.id > $after
RETURN properties(o) AS node
ORDER BY o.id
LIMIT $limit
