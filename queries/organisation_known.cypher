// Which of the given ids are organisations of the tenant.
// Parameters: $tenant, $ids (list of ids).
MATCH (o:Organisation {tenant: $tenant})
WHERE o.id IN $ids
RETURN o.id AS id
