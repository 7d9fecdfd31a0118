// One page of the tenant's organisations that have an open deal, in key order (the
// pipeline export). Parameters: $tenant, $after, $limit.
MATCH (o:Organisation {tenant: $tenant})
WHERE o.id > $after
  AND EXISTS { MATCH (d:Opportunity {tenant: $tenant, org_id: o.id, status: 'open'}) }
RETURN properties(o) AS node
ORDER BY o.tenant, o.id
LIMIT $limit
