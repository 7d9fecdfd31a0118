// Delete a team member and their ties; the deals they owned have no owner any more.
// Parameters: $tenant, $member_id, $now.
MATCH (t:TeamMember {tenant: $tenant, id: $member_id})
OPTIONAL MATCH (o:Opportunity {tenant: $tenant, owner_id: $member_id})
SET o.owner_id = null, o.version = o.version + 1, o.updated_at = $now
WITH DISTINCT t
DETACH DELETE t
RETURN count(*) AS deleted
