// Delete a team member and their ties; the deals they owned have no owner any more (answers
// those deals, for history). Parameters: $tenant, $member_id, $now.
MATCH (t:TeamMember {tenant: $tenant, id: $member_id})
OPTIONAL MATCH (o:Opportunity {tenant: $tenant, owner_id: $member_id})
SET o.owner_id = null, o.version = o.version + 1, o.updated_at = $now
WITH t, collect(properties(o)) AS owned
DETACH DELETE t
RETURN owned AS nodes
