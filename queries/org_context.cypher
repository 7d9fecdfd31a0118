// What a plain (non-upsert) write must know about the organisation it lands in: its
// people and ties, and which of the ids the request names are team members or
// organisations of the tenant.
// Parameters: $tenant, $org_id, $ids (ids the request uses without defining them).
CALL () {
  MATCH (p:Person {tenant: $tenant, org_id: $org_id})
  RETURN collect(p.id) AS person_ids
}
CALL () {
  MATCH (t:TeamMember {tenant: $tenant})
  WHERE t.id IN $ids
  RETURN collect(t.id) AS team_ids
}
CALL () {
  MATCH (o:Organisation {tenant: $tenant})
  WHERE o.id IN $ids
  RETURN collect(o.id) AS org_ids
}
CALL () {
  MATCH (:Person {tenant: $tenant, org_id: $org_id})-[r:REPORTS_TO|INFLUENCES|KNOWS|AFFILIATED_WITH]-()
  WHERE r.org_id = $org_id
  WITH DISTINCT r
  RETURN collect([type(r), r.source_id, r.target_id, coalesce(r.dotted, false)]) AS ties
}
RETURN person_ids, team_ids, org_ids, ties
