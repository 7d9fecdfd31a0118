-- Parameters: :tenant, :org_id.
SELECT * FROM organisations WHERE tenant = :tenant AND id = :org_id
