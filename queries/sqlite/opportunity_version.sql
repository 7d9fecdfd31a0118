-- A deal's version, read after the organisation's write lock is held.
-- Parameters: :tenant, :org_id, :opp_id.
SELECT version FROM opportunities WHERE tenant = :tenant AND org_id = :org_id AND id = :opp_id
