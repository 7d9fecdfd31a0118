// Parameters: $tenant, $org_id, $person_id.
MATCH (p:Person {tenant: $tenant, id: $person_id})
WHERE p.org_id = $org_id
RETURN properties(p) AS node
