// Take a team member's write lock and read their version under the lock, for If-Match
// checks (see organisation_lock). Parameters: $tenant, $member_id.
MATCH (t:TeamMember {tenant: $tenant, id: $member_id})
SET t._lock = true
REMOVE t._lock
RETURN t.version AS version
