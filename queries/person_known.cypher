// Which of the given ids are people of the organisation. Parameters: $tenant, $org_id,
// $ids (list of ids).
MATCH (p:Person {tenant: $tenant})
WHERE p.id IN $ids AND p.org_id = $org_id
RETURN collect({id: p.id}) AS nodes
