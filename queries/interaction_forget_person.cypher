// A person is deleted (or erased): they leave every interaction's list, and an interaction
// left with nobody of theirs goes. Parameters: $tenant, $org_id, $person_id.
MATCH (i:Interaction {tenant: $tenant, org_id: $org_id})
WHERE $person_id IN i.person_ids
SET i.person_ids = [p IN i.person_ids WHERE p <> $person_id]
WITH i
WHERE size(i.person_ids) = 0
DETACH DELETE i
