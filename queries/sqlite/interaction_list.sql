-- One page of an organisation's interactions, newest first, optionally only those with a
-- person and/or a team member, between two days. The page starts after the cursor
-- (:before_on, :before_id). Parameters: :tenant, :org_id, :person_id ('' for any),
-- :member_id ('' for any), :since, :until (ISO days), :before_on, :before_id, :limit.
SELECT * FROM interactions i
WHERE i.tenant = :tenant AND i.org_id = :org_id
  AND i.occurred_on >= :since AND i.occurred_on <= :until
  AND (:person_id = '' OR EXISTS (SELECT 1 FROM interaction_parties p
        WHERE p.tenant = i.tenant AND p.org_id = i.org_id AND p.interaction_id = i.id
          AND p.party_id = :person_id))
  AND (:member_id = '' OR EXISTS (SELECT 1 FROM interaction_parties p
        WHERE p.tenant = i.tenant AND p.org_id = i.org_id AND p.interaction_id = i.id
          AND p.party_id = :member_id))
  AND (i.occurred_on < :before_on OR (i.occurred_on = :before_on AND i.id < :before_id))
ORDER BY i.occurred_on DESC, i.id DESC
LIMIT :limit
