// The source is a person or one of our team members.
// Parameters: $rows (tie property maps with source_id and target_id).
UNWIND $rows AS row
OPTIONAL MATCH (sp:Person {tenant: row.tenant, id: row.source_id})
OPTIONAL MATCH (st:TeamMember {tenant: row.tenant, id: row.source_id})
WITH row, coalesce(sp, st) AS s
MATCH (t:Person {tenant: row.tenant, id: row.target_id})
CREATE (s)-[r:KNOWS]->(t)
SET r = row
