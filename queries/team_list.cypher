// One page of our team. Parameters: $tenant, $after, $limit.
// Ordered as the (tenant, id) key index is, so a page reads $limit rows, not the tenant's.
MATCH (t:TeamMember {tenant: $tenant})
WHERE t.id > $after
RETURN properties(t) AS node
ORDER BY t.tenant, t.id
LIMIT $limit
