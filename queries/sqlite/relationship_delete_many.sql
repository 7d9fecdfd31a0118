-- Delete a tie an upsert replaced. Parameters: :tenant, :org_id, :id (the row's columns).
DELETE FROM relationships WHERE tenant = :tenant AND org_id = :org_id AND id = :id
