// The tenant's whole team as property maps, for an upsert import to match against.
// Parameters: $tenant.
MATCH (t:TeamMember {tenant: $tenant})
RETURN collect(properties(t)) AS team
