// Every migration applied, in order. Parameters: $ledger.
MATCH (v:SchemaVersion {ledger: $ledger})
RETURN v.version AS version, v.name AS name, v.applied_at AS applied_at
ORDER BY version
