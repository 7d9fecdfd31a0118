-- Every tie of an organisation as (type, source, target, dotted): what a plain import must
-- know. Parameters: :tenant, :org_id.
SELECT type, source_id, target_id, dotted FROM relationships
WHERE tenant = :tenant AND org_id = :org_id
