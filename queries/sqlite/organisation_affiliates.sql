-- Organisations whose people are affiliated with this one. Parameters: :tenant, :org_id.
SELECT DISTINCT org_id FROM relationships
WHERE tenant = :tenant AND target_id = :org_id AND type = 'AFFILIATED_WITH'
