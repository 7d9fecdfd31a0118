// One webhook of a tenant (its secret is dropped by the repository). Parameters: $tenant,
// $webhook_id.
MATCH (w:Webhook {tenant: $tenant, id: $webhook_id})
RETURN properties(w) AS node
