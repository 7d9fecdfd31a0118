// The tenant's whole team. Parameters: $tenant.
MATCH (t:TeamMember {tenant: $tenant})
RETURN properties(t) AS node
ORDER BY t.id
