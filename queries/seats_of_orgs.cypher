// Every committee seat of the given organisations' deals.
// Parameters: $tenant, $org_ids (list).
UNWIND $org_ids AS org_id
MATCH (:Opportunity {tenant: $tenant, org_id: org_id})<-[s:ON_COMMITTEE]-()
RETURN collect(properties(s)) AS nodes
