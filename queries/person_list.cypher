// One page of an organisation's people. Parameters: $tenant, $org_id, $after, $limit.
MATCH (p:Person {tenant: $tenant, org_id: $org_id})
WHERE p.id > $after
RETURN properties(p) AS node
ORDER BY p.id
LIMIT $limit
