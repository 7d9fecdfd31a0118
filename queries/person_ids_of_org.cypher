// The ids of an organisation's people (what a plain import must know).
// Parameters: $tenant, $org_id.
MATCH (p:Person {tenant: $tenant, org_id: $org_id})
RETURN collect({id: p.id}) AS nodes
