-- Delete every delivery about an organisation (it is being deleted). Parameters: :tenant,
-- :org_id.
DELETE FROM webhook_deliveries WHERE tenant = :tenant AND org_id = :org_id
