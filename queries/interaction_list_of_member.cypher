// One page of a team member's interactions across the tenant's organisations, newest
// first. Parameters: $tenant, $member_id, $since, $until, $before_on, $before_id, $limit.
MATCH (i:Interaction {tenant: $tenant})
WHERE i.occurred_on >= $since AND i.occurred_on <= $until
  AND $member_id IN i.member_ids
  AND (i.occurred_on < $before_on OR (i.occurred_on = $before_on AND i.id < $before_id))
RETURN properties(i) AS node
ORDER BY i.occurred_on DESC, i.id DESC
LIMIT $limit
