-- One page of a team member's interactions across the tenant's organisations, newest
-- first. Parameters: :tenant, :member_id, :since, :until, :before_on, :before_id, :limit.
SELECT i.* FROM interaction_parties p
JOIN interactions i ON i.tenant = p.tenant AND i.org_id = p.org_id AND i.id = p.interaction_id
WHERE p.tenant = :tenant AND p.party_id = :member_id
  AND p.occurred_on >= :since AND p.occurred_on <= :until
  AND (p.occurred_on < :before_on OR (p.occurred_on = :before_on AND i.id < :before_id))
ORDER BY i.occurred_on DESC, i.id DESC
LIMIT :limit
