// Every stored tie of the given organisations; each touches one of its people.
// Parameters: $tenant, $org_ids (list).
UNWIND $org_ids AS org_id
CALL (org_id) {
  MATCH (:Person {tenant: $tenant, org_id: org_id})-[r:REPORTS_TO|INFLUENCES|KNOWS|AFFILIATED_WITH]-()
  WHERE r.org_id = org_id
  RETURN DISTINCT r
}
RETURN collect(properties(r)) AS nodes
