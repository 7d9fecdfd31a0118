-- A node is deleted: end its open version and those of every tie or seat touching it
-- (one statement per column, each on its index). Parameters: :tenant, :entity_id, :at.
UPDATE history INDEXED BY history_by_entity SET valid_to = :at
WHERE tenant = :tenant AND entity_id = :entity_id
  AND valid_to = '9999-12-31T23:59:59.999Z' AND valid_from < :at;
UPDATE history INDEXED BY history_by_source SET valid_to = :at
WHERE tenant = :tenant AND source_id = :entity_id
  AND valid_to = '9999-12-31T23:59:59.999Z' AND valid_from < :at;
UPDATE history INDEXED BY history_by_target SET valid_to = :at
WHERE tenant = :tenant AND target_id = :entity_id
  AND valid_to = '9999-12-31T23:59:59.999Z' AND valid_from < :at
