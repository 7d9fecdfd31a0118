// Delete a person and every tie touching them. Parameters: $tenant, $org_id, $person_id.
MATCH (p:Person {tenant: $tenant, id: $person_id})
WHERE p.org_id = $org_id
DETACH DELETE p
RETURN count(*) AS deleted
