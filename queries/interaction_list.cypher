// One page of an organisation's interactions, newest first, optionally only those with a
// person and/or a team member, between two days. The page starts after the cursor
// ($before_on, $before_id). Parameters: $tenant, $org_id, $person_id ('' for any),
// $member_id ('' for any), $since, $until (ISO days), $before_on, $before_id, $limit.
MATCH (i:Interaction {tenant: $tenant, org_id: $org_id})
WHERE i.occurred_on >= $since AND i.occurred_on <= $until
  AND ($person_id = '' OR $person_id IN i.person_ids)
  AND ($member_id = '' OR $member_id IN i.member_ids)
  AND (i.occurred_on < $before_on OR (i.occurred_on = $before_on AND i.id < $before_id))
RETURN properties(i) AS node
ORDER BY i.occurred_on DESC, i.id DESC
LIMIT $limit
