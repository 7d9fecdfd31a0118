// Which of the given ids are organisations of the tenant.
// Parameters: $tenant, $ids (list of ids).
MATCH (o:Organisation {tenant: $tenant})
WHERE o.id IN $ids
RETURN collect({id: o.id}) AS nodes
