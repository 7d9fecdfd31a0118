// Parameters: $tenant, $member_id, $changes (null removes), $now.
MATCH (t:TeamMember {tenant: $tenant, id: $member_id})
SET t += $changes, t.updated_at = $now, t.version = t.version + 1
RETURN properties(t) AS node
