-- The KNOWS ties from the given team members to the given people of the organisation.
-- Parameters: :tenant, :org_id, :member_ids, :person_ids (JSON lists).
SELECT * FROM relationships
WHERE tenant = :tenant AND org_id = :org_id AND type = 'KNOWS'
  AND source_id IN (SELECT value FROM json_each(:member_ids))
  AND target_id IN (SELECT value FROM json_each(:person_ids))
