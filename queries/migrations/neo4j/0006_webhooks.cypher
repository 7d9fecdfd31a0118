// Webhooks (issue 16): (:Webhook {tenant, id, url, events, secret, ...}) subscriptions and
// (:WebhookDelivery {tenant, id, webhook_id, event, org_id, subjects, payload, status, ...})
// rows of the durable outbox, written in the same transaction as the change they report.
CREATE CONSTRAINT webhook_key IF NOT EXISTS FOR (n:Webhook) REQUIRE (n.tenant, n.id) IS UNIQUE;
CREATE INDEX webhook_tenant IF NOT EXISTS FOR (n:Webhook) ON (n.tenant);
CREATE CONSTRAINT webhook_delivery_id IF NOT EXISTS
FOR (n:WebhookDelivery) REQUIRE n.id IS UNIQUE;
CREATE INDEX webhook_delivery_due IF NOT EXISTS
FOR (n:WebhookDelivery) ON (n.status, n.next_attempt_at);
CREATE INDEX webhook_delivery_webhook IF NOT EXISTS
FOR (n:WebhookDelivery) ON (n.tenant, n.webhook_id);
CREATE INDEX webhook_delivery_org IF NOT EXISTS FOR (n:WebhookDelivery) ON (n.tenant, n.org_id);
CREATE INDEX webhook_delivery_settled IF NOT EXISTS
FOR (n:WebhookDelivery) ON (n.status, n.settled_at)
