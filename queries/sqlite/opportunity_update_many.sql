-- Rewrite a stored deal with its new state. Parameters: every column.
UPDATE opportunities SET name = :name, amount = :amount, currency = :currency, stage = :stage,
    status = :status, close_date = :close_date, trigger = :trigger, owner_id = :owner_id,
    external_id = :external_id, updated_at = :updated_at, version = :version
WHERE tenant = :tenant AND org_id = :org_id AND id = :id
