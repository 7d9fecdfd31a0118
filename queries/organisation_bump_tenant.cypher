// A team change shows in every organisation's snapshot; answers the bumped rows (history
// records them). Parameters: $tenant, $now.
MATCH (o:Organisation {tenant: $tenant})
SET o.version = o.version + 1, o.updated_at = $now
RETURN collect(properties(o)) AS nodes
