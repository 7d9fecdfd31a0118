-- One page of our team. Parameters: :tenant, :after, :limit.
SELECT * FROM team_members WHERE tenant = :tenant AND id > :after ORDER BY id LIMIT :limit
