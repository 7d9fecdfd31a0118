// Organisations whose people are affiliated with this one. Parameters: $tenant, $org_id.
MATCH (:Organisation {tenant: $tenant, id: $org_id})<-[r:AFFILIATED_WITH]-(:Person)
RETURN DISTINCT r.org_id AS org_id
