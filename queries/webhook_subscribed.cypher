// The active webhooks of a tenant and the events each wants: the one read a write that
// reports events makes (an index seek; none when nobody subscribes). Parameters: $tenant.
MATCH (w:Webhook {tenant: $tenant})
WHERE w.active
RETURN w.id AS id, w.events AS events
