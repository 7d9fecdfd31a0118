// Create or replace committee seats (a person's roles and stance on one deal); the maps
// carry every property. Parameters: $rows (seat property maps).
UNWIND $rows AS row
MATCH (p:Person {tenant: row.tenant, id: row.person_id})
MATCH (o:Opportunity {tenant: row.tenant, id: row.opportunity_id})
MERGE (p)-[s:ON_COMMITTEE]->(o)
SET s = row
