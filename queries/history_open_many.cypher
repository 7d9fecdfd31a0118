// Record new versions (a write's new rows), each valid from $rows[].at; a version opened
// twice in one write (same time) keeps the last state.
// Parameters: $rows (maps: tenant, kind, entity_id, org_id, at, source_id, target_id, stored).
UNWIND $rows AS row
MERGE (h:History {tenant: row.tenant, _kind: row.kind, _entity: row.entity_id, _from: row.at})
SET h = row.stored, h.tenant = row.tenant, h._kind = row.kind, h._entity = row.entity_id,
    h._from = row.at, h._to = '9999-12-31T23:59:59.999Z', h._org = row.org_id,
    h._source = row.source_id, h._target = row.target_id
