-- One page of the tenant's open deals, in id order (the pipeline export).
-- Parameters: :tenant, :after, :limit.
SELECT * FROM opportunities WHERE tenant = :tenant AND status = 'open' AND id > :after
ORDER BY id LIMIT :limit
