// The tenant's whole team. Parameters: $tenant.
MATCH (t:TeamMember {tenant: $tenant})
RETURN collect(properties(t)) AS nodes
