// Version 1 is the graph of tag schema-1 as it is (its constraints and indexes are
// queries/schema/, ensured on every start). This makes the version record itself unique, so
// two `stakemap migrate` runs at once cannot both record (and apply) the same migration.
CREATE CONSTRAINT schema_version_key IF NOT EXISTS
FOR (n:SchemaVersion) REQUIRE (n.ledger, n.version) IS UNIQUE
