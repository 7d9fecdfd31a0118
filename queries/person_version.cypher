// A person's version, read after the organisation's write lock is held (every write to a
// person takes that lock first). Parameters: $tenant, $org_id, $person_id.
MATCH (p:Person {tenant: $tenant, id: $person_id})
WHERE p.org_id = $org_id
RETURN p.version AS version
