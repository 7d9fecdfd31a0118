-- A deal has one primary contact: every other seat that was primary no longer is; answers
-- the changed seats (history records them).
-- Parameters: :tenant, :org_id, :opp_id, :person_id (the new primary), :now.
UPDATE committee_seats SET is_primary = 0, version = version + 1, updated_at = :now
WHERE tenant = :tenant AND org_id = :org_id AND opportunity_id = :opp_id
    AND is_primary AND person_id <> :person_id
RETURNING *
