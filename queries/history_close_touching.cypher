// A node is deleted: end its open version and those of every tie or seat touching it.
// Parameters: $tenant, $entity_id, $at.
CALL () {
  MATCH (h:History {tenant: $tenant, _entity: $entity_id, _to: '9999-12-31T23:59:59.999Z'})
  RETURN h
  UNION
  MATCH (h:History {tenant: $tenant, _source: $entity_id, _to: '9999-12-31T23:59:59.999Z'})
  RETURN h
  UNION
  MATCH (h:History {tenant: $tenant, _target: $entity_id, _to: '9999-12-31T23:59:59.999Z'})
  RETURN h
}
WITH h WHERE h._from < $at
SET h._to = $at
