// One page of a tenant's webhooks, by id. Parameters: $tenant, $after, $limit.
MATCH (w:Webhook {tenant: $tenant})
WHERE w.id > $after
RETURN properties(w) AS node
ORDER BY w.id
LIMIT $limit
