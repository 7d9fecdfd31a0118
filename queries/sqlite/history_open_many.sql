-- Record a new version (a write's new row), valid from :at; a version opened twice in one
-- write (same time) keeps the last state. Parameters: :tenant, :kind, :entity_id, :org_id,
-- :at, :source_id, :target_id, :stored (JSON).
INSERT INTO history (tenant, org_id, kind, entity_id, valid_from, valid_to, source_id, target_id, stored)
VALUES (:tenant, :org_id, :kind, :entity_id, :at, '9999-12-31T23:59:59.999Z', :source_id, :target_id, :stored)
ON CONFLICT (tenant, kind, entity_id, valid_from) DO UPDATE SET stored = excluded.stored
