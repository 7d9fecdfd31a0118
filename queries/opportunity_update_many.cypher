// Rewrite stored deals with their new state; the maps carry every property, so SET =
// replaces them whole (null values remove a property). Parameters: $rows.
UNWIND $rows AS row
MATCH (o:Opportunity {tenant: row.tenant, id: row.id})
SET o = row
