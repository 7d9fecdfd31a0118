// Record one applied migration (unique per ledger and version once 0001 ran).
// Parameters: $ledger, $version, $name, $applied_at.
CREATE (:SchemaVersion {ledger: $ledger, version: $version, name: $name, applied_at: $applied_at})
