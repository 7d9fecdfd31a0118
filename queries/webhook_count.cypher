// How many webhooks a tenant has. Parameters: $tenant.
MATCH (w:Webhook {tenant: $tenant})
RETURN count(w) AS webhooks
