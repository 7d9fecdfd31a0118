// Parameters: $rows (tie property maps with source_id and target_id).
UNWIND $rows AS row
MATCH (s:Person {tenant: row.tenant, id: row.source_id})
MATCH (t:Person {tenant: row.tenant, id: row.target_id})
CREATE (s)-[r:REPORTS_TO]->(t)
SET r = row
