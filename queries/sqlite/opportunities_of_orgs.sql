-- Every deal of the given organisations. Parameters: :tenant, :org_ids (JSON list).
SELECT * FROM opportunities
WHERE tenant = :tenant AND org_id IN (SELECT value FROM json_each(:org_ids))
