-- Whether the store has its version table yet (a store created by tag schema-1 has none).
SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'
