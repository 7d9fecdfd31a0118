// Parameters: $tenant, $org_id, $person_id, $changes (null removes), $now.
MATCH (p:Person {tenant: $tenant, id: $person_id})
WHERE p.org_id = $org_id
SET p += $changes, p.updated_at = $now, p.version = p.version + 1
RETURN properties(p) AS node
