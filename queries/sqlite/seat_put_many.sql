-- Create or replace a committee seat. Parameters: every column (roles as JSON text).
INSERT INTO committee_seats (id, tenant, created_at, updated_at, version, org_id, opportunity_id, person_id, roles, stance, influence, is_primary)
VALUES (:id, :tenant, :created_at, :updated_at, :version, :org_id, :opportunity_id, :person_id, :roles, :stance, :influence, :is_primary)
ON CONFLICT (tenant, org_id, opportunity_id, person_id) DO UPDATE SET
    id = excluded.id, created_at = excluded.created_at, updated_at = excluded.updated_at,
    version = excluded.version, roles = excluded.roles, stance = excluded.stance,
    influence = excluded.influence, is_primary = excluded.is_primary
