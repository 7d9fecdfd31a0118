// End the open version of each entity at $rows[].at (it was replaced or deleted).
// Parameters: $rows (maps: tenant, kind, entity_id, at).
UNWIND $rows AS row
MATCH (h:History {tenant: row.tenant, _entity: row.entity_id, _to: '9999-12-31T23:59:59.999Z'})
WHERE h._kind = row.kind AND h._from < row.at
SET h._to = row.at
