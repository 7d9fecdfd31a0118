// Every version of a person (for their personal-data export), oldest first.
// Parameters: $tenant, $person_id.
MATCH (h:History {tenant: $tenant, _entity: $person_id})
WHERE h._kind = 'person'
RETURN h._from AS valid_from, h._to AS valid_to, properties(h) AS stored
ORDER BY h._from
