-- Record one applied migration. Parameters: :version, :name, :applied_at.
INSERT INTO schema_version (version, name, applied_at) VALUES (:version, :name, :applied_at)
