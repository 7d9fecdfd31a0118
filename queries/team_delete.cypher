// Delete a team member and their ties. Parameters: $tenant, $member_id.
MATCH (t:TeamMember {tenant: $tenant, id: $member_id})
DETACH DELETE t
RETURN count(*) AS deleted
