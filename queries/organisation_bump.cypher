// Bump an organisation's version; this takes its write lock, so writes to one
// organisation run one after another. Answers the bumped row (history records it).
// Parameters: $tenant, $org_id, $now.
MATCH (o:Organisation {tenant: $tenant, id: $org_id})
SET o.version = o.version + 1, o.updated_at = $now
RETURN properties(o) AS node
