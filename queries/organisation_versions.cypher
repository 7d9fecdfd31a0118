// The current versions of organisations (a dry-run import reads, it does not lock).
// Parameters: $tenant, $org_ids (list of ids).
UNWIND $org_ids AS org_id
MATCH (o:Organisation {tenant: $tenant, id: org_id})
RETURN o.id AS id, o.version AS version
