// Every stored person of the given organisations. Parameters: $tenant, $org_ids (list).
UNWIND $org_ids AS org_id
MATCH (p:Person {tenant: $tenant, org_id: org_id})
RETURN collect(properties(p)) AS nodes
