// Every interaction of the organisation with one of the team members and one of the
// people: the history a tie's derived strength comes from.
// Parameters: $tenant, $org_id, $member_ids, $person_ids (lists).
MATCH (i:Interaction {tenant: $tenant, org_id: $org_id})
WHERE any(m IN i.member_ids WHERE m IN $member_ids)
  AND any(p IN i.person_ids WHERE p IN $person_ids)
RETURN collect(properties(i)) AS nodes
