-- An organisation's version for If-Match checks; BEGIN IMMEDIATE holds the write lock.
-- Parameters: :tenant, :org_id.
SELECT version FROM organisations WHERE tenant = :tenant AND id = :org_id
