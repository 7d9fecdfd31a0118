-- Which of the given ids are people of the organisation. Parameters: :tenant, :org_id,
-- :ids (JSON list).
SELECT id FROM people
WHERE tenant = :tenant AND org_id = :org_id AND id IN (SELECT value FROM json_each(:ids))
