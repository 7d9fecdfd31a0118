-- Which of the given ids are organisations of the tenant. Parameters: :tenant, :ids (JSON list).
SELECT id FROM organisations
WHERE tenant = :tenant AND id IN (SELECT value FROM json_each(:ids))
