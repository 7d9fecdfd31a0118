// The KNOWS ties from the given team members to the given people of the organisation.
// Parameters: $tenant, $org_id, $member_ids, $person_ids (lists).
MATCH (t:TeamMember {tenant: $tenant})
WHERE t.id IN $member_ids
MATCH (t)-[r:KNOWS]->(p:Person {tenant: $tenant})
WHERE p.id IN $person_ids AND p.org_id = $org_id
RETURN collect(properties(r)) AS nodes
