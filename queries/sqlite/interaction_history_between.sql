-- Every interaction of the organisation with one of the team members and one of the
-- people: the history a tie's derived strength comes from.
-- Parameters: :tenant, :org_id, :member_ids, :person_ids (JSON lists).
SELECT * FROM interactions i
WHERE i.tenant = :tenant AND i.org_id = :org_id
  AND i.id IN (SELECT interaction_id FROM interaction_parties
      WHERE tenant = :tenant AND org_id = :org_id
        AND party_id IN (SELECT value FROM json_each(:member_ids)))
  AND i.id IN (SELECT interaction_id FROM interaction_parties
      WHERE tenant = :tenant AND org_id = :org_id
        AND party_id IN (SELECT value FROM json_each(:person_ids)))
