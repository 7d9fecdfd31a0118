-- Parameters: :tenant, :org_id, :rel_id.
SELECT * FROM relationships WHERE tenant = :tenant AND org_id = :org_id AND id = :rel_id
