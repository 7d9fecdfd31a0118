// The deals a team member owns. Parameters: $tenant, $member_id.
MATCH (o:Opportunity {tenant: $tenant, owner_id: $member_id})
RETURN collect(properties(o)) AS nodes
