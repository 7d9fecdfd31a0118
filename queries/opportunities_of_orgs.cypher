// Every deal of the given organisations. Parameters: $tenant, $org_ids (list).
UNWIND $org_ids AS org_id
MATCH (o:Opportunity {tenant: $tenant, org_id: org_id})
RETURN collect(properties(o)) AS nodes
