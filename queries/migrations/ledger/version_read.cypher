// The last migration applied (0: none). Parameters: $ledger.
MATCH (v:SchemaVersion {ledger: $ledger})
RETURN coalesce(max(v.version), 0) AS version
