-- Parameters: :tenant, :org_id, :opp_id, :person_id.
DELETE FROM committee_seats WHERE tenant = :tenant AND org_id = :org_id
    AND opportunity_id = :opp_id AND person_id = :person_id
