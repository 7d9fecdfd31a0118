// One page of our team. Parameters: $tenant, $after, $limit.
MATCH (t:TeamMember {tenant: $tenant})
WHERE t.id > $after
RETURN properties(t) AS node
ORDER BY t.id
LIMIT $limit
