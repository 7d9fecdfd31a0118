-- End the open version of an entity at :at (it was replaced or deleted).
-- Parameters: :tenant, :kind, :entity_id, :at.
UPDATE history SET valid_to = :at
WHERE tenant = :tenant AND kind = :kind AND entity_id = :entity_id
  AND valid_to = '9999-12-31T23:59:59.999Z' AND valid_from < :at
