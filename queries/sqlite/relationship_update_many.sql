-- Rewrite a stored tie with its new state. Parameters: every column.
UPDATE relationships SET type = :type, source_id = :source_id, target_id = :target_id,
    strength = :strength, last_contact = :last_contact, channel = :channel, dotted = :dotted,
    role = :role, strength_source = :strength_source, derived_strength = :derived_strength,
    updated_at = :updated_at, version = :version
WHERE tenant = :tenant AND org_id = :org_id AND id = :id
