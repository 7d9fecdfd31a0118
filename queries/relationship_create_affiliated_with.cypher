// Parameters: $rows (tie property maps; target_id is an organisation id).
UNWIND $rows AS row
MATCH (s:Person {tenant: row.tenant, id: row.source_id})
MATCH (t:Organisation {tenant: row.tenant, id: row.target_id})
CREATE (s)-[r:AFFILIATED_WITH]->(t)
SET r = row
