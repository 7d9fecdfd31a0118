// Delete an organisation, its people and their ties, its deals and their seats, its
// interactions; children lose their parent. Parameters: $tenant, $org_id.
MATCH (o:Organisation {tenant: $tenant, id: $org_id})
OPTIONAL MATCH (child:Organisation {tenant: $tenant, parent_id: $org_id})
SET child.parent_id = null
WITH DISTINCT o
CALL (o) {
  MATCH (p:Person {tenant: $tenant, org_id: $org_id})
  DETACH DELETE p
}
CALL (o) {
  MATCH (d:Opportunity {tenant: $tenant, org_id: $org_id})
  DETACH DELETE d
}
CALL (o) {
  MATCH (i:Interaction {tenant: $tenant, org_id: $org_id})
  DETACH DELETE i
}
DETACH DELETE o
RETURN count(o) AS deleted
