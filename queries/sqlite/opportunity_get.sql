-- Parameters: :tenant, :org_id, :opp_id.
SELECT * FROM opportunities WHERE tenant = :tenant AND org_id = :org_id AND id = :opp_id
