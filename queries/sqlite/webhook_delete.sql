-- Delete a webhook and its deliveries (sent or not). Parameters: :tenant, :webhook_id.
DELETE FROM webhook_deliveries WHERE tenant = :tenant AND webhook_id = :webhook_id;
DELETE FROM webhooks WHERE tenant = :tenant AND id = :webhook_id
