-- One step up the parent chain. Parameters: :tenant, :org_id.
SELECT parent_id FROM organisations WHERE tenant = :tenant AND id = :org_id
