-- A team member is deleted: they leave every interaction's list, and an interaction left
-- with nobody of ours goes (its parties with it). Parameters: :tenant, :member_id.
UPDATE interactions
SET member_ids = (SELECT json_group_array(value) FROM json_each(member_ids)
                  WHERE value != :member_id)
WHERE tenant = :tenant
  AND id IN (SELECT interaction_id FROM interaction_parties
             WHERE tenant = :tenant AND party_id = :member_id);
DELETE FROM interactions
WHERE tenant = :tenant AND json_array_length(member_ids) = 0
