// Rewrite stored organisations with their new state; the maps carry every property, so
// SET = replaces them whole (null values remove a property).
// Parameters: $rows (complete organisation property maps with tenant and id).
UNWIND $rows AS row
MATCH (o:Organisation {tenant: row.tenant, id: row.id})
SET o = row
