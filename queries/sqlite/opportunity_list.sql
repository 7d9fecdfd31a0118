-- One page of an organisation's deals. Parameters: :tenant, :org_id, :after, :limit.
SELECT * FROM opportunities WHERE tenant = :tenant AND org_id = :org_id AND id > :after
ORDER BY id LIMIT :limit
