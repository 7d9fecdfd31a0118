-- An organisation's current version. Parameters: :tenant, :org_id.
SELECT version FROM organisations WHERE tenant = :tenant AND id = :org_id
