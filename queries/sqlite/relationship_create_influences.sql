-- Create a INFLUENCES tie known to be new (one statement per type, as in Cypher, where the
-- type is the relationship's label). Parameters: every column.
INSERT INTO relationships (id, tenant, created_at, updated_at, version, org_id, type, source_id, target_id, strength, last_contact, channel, dotted, role, strength_source, derived_strength)
VALUES (:id, :tenant, :created_at, :updated_at, :version, :org_id, :type, :source_id, :target_id, :strength, :last_contact, :channel, :dotted, :role, :strength_source, :derived_strength)
