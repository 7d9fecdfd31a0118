-- The ids of an organisation's people (what a plain import must know).
-- Parameters: :tenant, :org_id.
SELECT id FROM people WHERE tenant = :tenant AND org_id = :org_id
