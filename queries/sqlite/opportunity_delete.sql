-- Delete a deal; its committee seats cascade. Parameters: :tenant, :org_id, :opp_id.
DELETE FROM opportunities WHERE tenant = :tenant AND org_id = :org_id AND id = :opp_id
