-- Every version of a person (for their personal-data export), oldest first.
-- Parameters: :tenant, :person_id.
SELECT valid_from, valid_to, stored FROM history
WHERE tenant = :tenant AND entity_id = :person_id AND kind = 'person'
ORDER BY valid_from
