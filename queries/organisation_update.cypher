// Parameters: $tenant, $org_id, $changes (map; null removes a property), $now.
MATCH (o:Organisation {tenant: $tenant, id: $org_id})
SET o += $changes, o.updated_at = $now, o.version = o.version + 1
RETURN properties(o) AS node
