-- One page of the tenant's organisations that have an open deal, in key order (the
-- pipeline export). Parameters: :tenant, :after, :limit.
SELECT * FROM organisations AS o
WHERE o.tenant = :tenant AND o.id > :after
  AND EXISTS (
    SELECT 1 FROM opportunities AS d
    WHERE d.tenant = o.tenant AND d.org_id = o.id AND d.status = 'open'
  )
ORDER BY o.id LIMIT :limit
