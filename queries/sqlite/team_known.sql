-- Which of the given ids are our team members. Parameters: :tenant, :ids (JSON list).
SELECT id FROM team_members
WHERE tenant = :tenant AND id IN (SELECT value FROM json_each(:ids))
