// Rewrite stored ties with their new state; found from their source, a person or one of
// our team members.
// Parameters: $rows (list of complete tie property maps with tenant, id and source_id).
UNWIND $rows AS row
OPTIONAL MATCH (sp:Person {tenant: row.tenant, id: row.source_id})
OPTIONAL MATCH (st:TeamMember {tenant: row.tenant, id: row.source_id})
WITH row, coalesce(sp, st) AS s
MATCH (s)-[r:REPORTS_TO|INFLUENCES|KNOWS|AFFILIATED_WITH]->()
WHERE r.id = row.id
SET r = row
