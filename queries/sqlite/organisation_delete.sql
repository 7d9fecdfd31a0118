-- Delete an organisation with its people and ties (foreign keys cascade); affiliations
-- with it go, children lose their parent; its deals and their seats cascade too.
-- Parameters: :tenant, :org_id.
DELETE FROM relationships
WHERE tenant = :tenant AND target_id = :org_id AND type = 'AFFILIATED_WITH';
UPDATE organisations SET parent_id = NULL WHERE tenant = :tenant AND parent_id = :org_id;
DELETE FROM organisations WHERE tenant = :tenant AND id = :org_id
