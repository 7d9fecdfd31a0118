// Delete ties that start at a person (reporting lines an upsert replaced).
// Parameters: $rows (list of maps with tenant, id and source_id).
UNWIND $rows AS row
MATCH (:Person {tenant: row.tenant, id: row.source_id})-[r:REPORTS_TO|INFLUENCES|KNOWS|AFFILIATED_WITH]->()
WHERE r.id = row.id
DELETE r
