// A tie's version, read after the organisation's write lock is held.
// Parameters: $tenant, $org_id, $rel_id.
MATCH ()-[r:REPORTS_TO|INFLUENCES|KNOWS|AFFILIATED_WITH {tenant: $tenant, id: $rel_id}]->()
WHERE r.org_id = $org_id
RETURN r.version AS version
