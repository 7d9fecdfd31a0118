-- One page of the ties stored under an organisation. Parameters: :tenant, :org_id, :after, :limit.
SELECT * FROM relationships WHERE tenant = :tenant AND org_id = :org_id AND id > :after
ORDER BY id LIMIT :limit
