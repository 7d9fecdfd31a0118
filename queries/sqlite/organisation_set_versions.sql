-- Record the new version of an organisation an import changed.
-- Parameters: :tenant, :id, :version, :now.
UPDATE organisations SET version = :version, updated_at = :now WHERE tenant = :tenant AND id = :id
