// Which of the given ids are our team members. Parameters: $tenant, $ids (list of ids).
MATCH (t:TeamMember {tenant: $tenant})
WHERE t.id IN $ids
RETURN collect({id: t.id}) AS nodes
