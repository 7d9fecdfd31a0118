-- An organisation is deleted: end every open version under it.
-- Parameters: :tenant, :org_id, :at.
UPDATE history INDEXED BY history_in_force SET valid_to = :at
WHERE tenant = :tenant AND org_id = :org_id AND valid_to = '9999-12-31T23:59:59.999Z'
  AND valid_from < :at
