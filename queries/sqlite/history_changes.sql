-- One page of an organisation's changes in time order from the cursor (:after_at,
-- :after_id): versions opened (with the version they replaced) and versions closed without
-- a successor (deletions). Organisation version bumps are not changes.
-- Parameters: :tenant, :org_id, :since, :after_at, :after_id, :limit.
SELECT * FROM (
  SELECT h.valid_from AS at, h.kind, h.entity_id, 'opened' AS event, h.stored AS after,
         p.stored AS before
  FROM history h
  LEFT JOIN history p ON p.tenant = h.tenant AND p.kind = h.kind
       AND p.entity_id = h.entity_id AND p.valid_to = h.valid_from
  WHERE h.tenant = :tenant AND h.org_id = :org_id AND h.valid_from >= :since
    AND h.kind <> 'organisation'
  UNION ALL
  SELECT h.valid_to AS at, h.kind, h.entity_id, 'closed' AS event, NULL AS after,
         h.stored AS before
  FROM history h
  WHERE h.tenant = :tenant AND h.org_id = :org_id AND h.valid_to >= :since
    AND h.valid_to < '9999' AND h.kind <> 'organisation'
    AND NOT EXISTS (SELECT 1 FROM history n WHERE n.tenant = h.tenant AND n.kind = h.kind
                    AND n.entity_id = h.entity_id AND n.valid_from = h.valid_to)
)
WHERE at > :after_at OR (at = :after_at AND entity_id || event > :after_id)
ORDER BY at, entity_id || event
LIMIT :limit
