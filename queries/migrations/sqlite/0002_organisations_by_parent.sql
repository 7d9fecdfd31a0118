-- Deleting an organisation detaches its children (parent_id = NULL where parent_id = ?):
-- without this index that statement reads every organisation of the tenant.
CREATE INDEX IF NOT EXISTS organisations_by_parent ON organisations (tenant, parent_id);
