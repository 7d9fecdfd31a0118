// What an upsert import must know about each organisation it lands in: every stored
// person and tie, as property maps.
// Parameters: $tenant, $org_ids (list of organisation ids).
UNWIND $org_ids AS org_id
CALL (org_id) {
  MATCH (p:Person {tenant: $tenant, org_id: org_id})
  RETURN collect(properties(p)) AS people
}
CALL (org_id) {
  MATCH (:Person {tenant: $tenant, org_id: org_id})-[r:REPORTS_TO|INFLUENCES|KNOWS|AFFILIATED_WITH]-()
  WHERE r.org_id = org_id
  WITH DISTINCT r
  RETURN collect(properties(r)) AS ties
}
RETURN org_id, people, ties
