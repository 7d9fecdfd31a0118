// Lock organisations for an import without changing them and read their versions under
// the lock (writing a property locks before the reads after it; `SET o.version =
// o.version` would read the version before locking, so a concurrent write's bump could be
// lost); callers pass ids sorted, so two imports never deadlock. Unknown ids are simply
// not returned. Parameters: $tenant, $org_ids (sorted list of ids).
UNWIND $org_ids AS org_id
MATCH (o:Organisation {tenant: $tenant, id: org_id})
SET o._lock = true
REMOVE o._lock
RETURN o.id AS id, o.version AS version
