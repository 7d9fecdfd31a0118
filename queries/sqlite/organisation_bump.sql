-- Bump an organisation's version; answers the bumped row (history records it).
-- Parameters: :tenant, :org_id, :now.
UPDATE organisations SET version = version + 1, updated_at = :now
WHERE tenant = :tenant AND id = :org_id
RETURNING *
