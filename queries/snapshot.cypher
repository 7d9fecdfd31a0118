// Everything of one organisation in one round trip: the organisation, its people,
// the tenant's team and every tie stored under the organisation.
// Parameters: $tenant, $org_id.
MATCH (o:Organisation {tenant: $tenant, id: $org_id})
CALL () {
  MATCH (p:Person {tenant: $tenant, org_id: $org_id})
  RETURN collect(properties(p)) AS people
}
CALL () {
  MATCH (t:TeamMember {tenant: $tenant})
  RETURN collect(properties(t)) AS team
}
CALL () {
  MATCH (:Person {tenant: $tenant, org_id: $org_id})-[r:REPORTS_TO|INFLUENCES|KNOWS|AFFILIATED_WITH]-()
  WHERE r.org_id = $org_id
  WITH DISTINCT r
  RETURN collect(properties(r)) AS relationships
}
RETURN properties(o) AS organisation, people, team, relationships
