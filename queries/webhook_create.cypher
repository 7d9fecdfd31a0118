// Store new webhooks. Parameters: $rows (maps of tenant, id, url, events, secret,
// description, active, created_at, updated_at, version).
UNWIND $rows AS row
CREATE (w:Webhook)
SET w = row
