-- A team change shows in every organisation's snapshot. Parameters: :tenant.
UPDATE organisations SET version = version + 1 WHERE tenant = :tenant
