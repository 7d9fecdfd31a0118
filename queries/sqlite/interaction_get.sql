-- Parameters: :tenant, :org_id, :interaction_id.
SELECT * FROM interactions WHERE tenant = :tenant AND org_id = :org_id AND id = :interaction_id
