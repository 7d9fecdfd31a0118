// Rewrite stored team members with their new state (SET = replaces every property).
// Parameters: $rows (complete team member property maps with tenant and id).
UNWIND $rows AS row
MATCH (t:TeamMember {tenant: row.tenant, id: row.id})
SET t = row
