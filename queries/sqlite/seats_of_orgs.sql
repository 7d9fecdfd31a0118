-- Every committee seat of the given organisations' deals.
-- Parameters: :tenant, :org_ids (JSON list).
SELECT * FROM committee_seats
WHERE tenant = :tenant AND org_id IN (SELECT value FROM json_each(:org_ids))
