-- One page of a deal's committee, in person-id order.
-- Parameters: :tenant, :org_id, :opp_id, :after, :limit.
SELECT * FROM committee_seats WHERE tenant = :tenant AND org_id = :org_id
    AND opportunity_id = :opp_id AND person_id > :after
ORDER BY person_id LIMIT :limit
