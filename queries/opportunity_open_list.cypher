// One page of the tenant's open deals, in id order (the pipeline export).
// Parameters: $tenant, $after, $limit.
MATCH (o:Opportunity {tenant: $tenant, status: 'open'})
WHERE o.id > $after
RETURN properties(o) AS node
ORDER BY o.id
LIMIT $limit
