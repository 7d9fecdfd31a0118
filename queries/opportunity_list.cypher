// One page of an organisation's deals. Parameters: $tenant, $org_id, $after, $limit.
MATCH (o:Opportunity {tenant: $tenant, org_id: $org_id})
WHERE o.id > $after
RETURN properties(o) AS node
ORDER BY o.id
LIMIT $limit
