// Take an organisation's write lock and read its version under the lock, for If-Match
// checks. Writing a property takes the lock before anything after it in the statement
// reads (`SET o.version = o.version` would not: Neo4j reads that value before locking).
// Parameters: $tenant, $org_id.
MATCH (o:Organisation {tenant: $tenant, id: $org_id})
SET o._lock = true
REMOVE o._lock
RETURN o.version AS version
