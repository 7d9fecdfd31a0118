// Parameters: $tenant, $org_id, $interaction_id.
MATCH (i:Interaction {tenant: $tenant, id: $interaction_id})
WHERE i.org_id = $org_id
RETURN properties(i) AS node
