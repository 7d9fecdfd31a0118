-- The current versions of organisations (a dry run reads). Parameters: :tenant, :org_ids.
SELECT id, version FROM organisations
WHERE tenant = :tenant AND id IN (SELECT value FROM json_each(:org_ids))
