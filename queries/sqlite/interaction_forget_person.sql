-- A person is deleted (or erased): they leave every interaction's list, and an interaction
-- left with nobody of theirs goes (its parties with it). Parameters: :tenant, :org_id,
-- :person_id.
UPDATE interactions
SET person_ids = (SELECT json_group_array(value) FROM json_each(person_ids)
                  WHERE value != :person_id)
WHERE tenant = :tenant AND org_id = :org_id
  AND id IN (SELECT interaction_id FROM interaction_parties
             WHERE tenant = :tenant AND org_id = :org_id AND party_id = :person_id);
DELETE FROM interactions
WHERE tenant = :tenant AND org_id = :org_id AND json_array_length(person_ids) = 0
