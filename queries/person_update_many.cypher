// Rewrite stored people with their new state (an upsert that found changes); the maps
// carry every property, so SET = replaces them whole (null values remove a property).
// Parameters: $rows (list of complete person property maps with tenant and id).
UNWIND $rows AS row
MATCH (p:Person {tenant: row.tenant, id: row.id})
SET p = row
