// Lock organisations for an import without changing them (a write to a property takes
// the node's write lock even when the value stays the same); callers pass ids sorted,
// so two imports never deadlock. Unknown ids are simply not returned.
// Parameters: $tenant, $org_ids (sorted list of ids).
UNWIND $org_ids AS org_id
MATCH (o:Organisation {tenant: $tenant, id: org_id})
SET o.version = o.version
RETURN o.id AS id, o.version AS version
