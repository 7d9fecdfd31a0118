// A team member is deleted: they leave every interaction's list, and an interaction left
// with nobody of ours goes. Parameters: $tenant, $member_id.
MATCH (i:Interaction {tenant: $tenant})
WHERE $member_id IN i.member_ids
SET i.member_ids = [m IN i.member_ids WHERE m <> $member_id]
WITH i
WHERE size(i.member_ids) = 0
DETACH DELETE i
