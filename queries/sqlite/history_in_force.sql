-- The versions of an organisation and of the tenant's team in force at :at (valid from
-- before it, until it or later): for each entity the organisation (or the team) ever held,
-- its last version begun before :at, if that one was still in force then. Each entity is
-- one seek on the primary key, so a day far back costs what a recent one does however long
-- the history. Parameters: :tenant, :org_id, :at.
SELECT h.kind, h.stored
FROM history_entities AS e
JOIN history AS h
  ON h.tenant = e.tenant AND h.kind = e.kind AND h.entity_id = e.entity_id
 AND h.valid_from = (SELECT max(v.valid_from) FROM history AS v
                     WHERE v.tenant = e.tenant AND v.kind = e.kind
                       AND v.entity_id = e.entity_id AND v.valid_from < :at)
WHERE e.tenant = :tenant AND e.org_id IN (:org_id, '') AND h.valid_to >= :at
