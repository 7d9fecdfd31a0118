-- A team change shows in every organisation's snapshot; answers the bumped rows (history
-- records them). Parameters: :tenant, :now.
UPDATE organisations SET version = version + 1, updated_at = :now WHERE tenant = :tenant
RETURNING *
