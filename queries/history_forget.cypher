// Erase a person from history: their versions and those of every tie or seat touching
// them. Parameters: $tenant, $person_id.
CALL () {
  MATCH (h:History {tenant: $tenant, _entity: $person_id}) RETURN h
  UNION
  MATCH (h:History {tenant: $tenant, _source: $person_id}) RETURN h
  UNION
  MATCH (h:History {tenant: $tenant, _target: $person_id}) RETURN h
}
DETACH DELETE h
