// An organisation is deleted: end every open version under it.
// Parameters: $tenant, $org_id, $at.
MATCH (h:History {tenant: $tenant, _org: $org_id, _to: '9999-12-31T23:59:59.999Z'})
WHERE h._from < $at
SET h._to = $at
