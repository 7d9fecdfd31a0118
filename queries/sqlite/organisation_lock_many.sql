-- The versions of the organisations an import lands in; BEGIN IMMEDIATE holds the write
-- lock. Unknown ids are not returned. Parameters: :tenant, :org_ids (JSON list).
SELECT id, version FROM organisations
WHERE tenant = :tenant AND id IN (SELECT value FROM json_each(:org_ids))
