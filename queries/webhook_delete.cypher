// Delete a webhook and its deliveries (sent or not). Parameters: $tenant, $webhook_id.
MATCH (w:Webhook {tenant: $tenant, id: $webhook_id})
OPTIONAL MATCH (d:WebhookDelivery {tenant: $tenant, webhook_id: $webhook_id})
DETACH DELETE d, w
