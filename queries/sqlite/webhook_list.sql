-- One page of a tenant's webhooks, by id. Parameters: :tenant, :after, :limit.
SELECT * FROM webhooks WHERE tenant = :tenant AND id > :after ORDER BY id LIMIT :limit
