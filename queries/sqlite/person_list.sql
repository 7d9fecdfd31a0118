-- One page of an organisation's people. Parameters: :tenant, :org_id, :after, :limit.
SELECT * FROM people WHERE tenant = :tenant AND org_id = :org_id AND id > :after
ORDER BY id LIMIT :limit
