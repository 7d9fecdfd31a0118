// Parameters: $tenant, $member_id.
MATCH (t:TeamMember {tenant: $tenant, id: $member_id})
RETURN properties(t) AS node
