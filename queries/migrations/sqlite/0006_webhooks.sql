-- Webhooks (issue 16): a tenant's subscriptions, and the durable outbox of their deliveries.
-- A delivery row is written in the same transaction as the change it reports; the worker
-- (app/webhooks.py) claims due rows with a lease, sends them and records each attempt.
-- `secret` is kept as given: signing needs it (docs/SECURITY.md, "Webhooks").
CREATE TABLE IF NOT EXISTS webhooks (
    tenant TEXT NOT NULL, id TEXT NOT NULL, url TEXT NOT NULL, events TEXT NOT NULL,
    secret TEXT NOT NULL, description TEXT, active INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, version INTEGER NOT NULL,
    PRIMARY KEY (tenant, id)
) WITHOUT ROWID;
-- `subjects`: the ids of the people the payload names (JSON list), so deleting or erasing a
-- person deletes the deliveries naming them. `next_attempt_at` and `settled_at` are epoch
-- seconds; the other time stamps ISO-8601 text, as everywhere.
CREATE TABLE IF NOT EXISTS webhook_deliveries (
    tenant TEXT NOT NULL, webhook_id TEXT NOT NULL, id TEXT NOT NULL, event TEXT NOT NULL,
    event_id TEXT NOT NULL, org_id TEXT NOT NULL, subjects TEXT NOT NULL, payload TEXT NOT NULL,
    status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at REAL NOT NULL,
    lease TEXT, last_status_code INTEGER, last_error TEXT, last_attempt_at TEXT,
    created_at TEXT NOT NULL, delivered_at TEXT, settled_at REAL,
    PRIMARY KEY (tenant, webhook_id, id)
) WITHOUT ROWID;
CREATE UNIQUE INDEX IF NOT EXISTS webhook_deliveries_by_id ON webhook_deliveries (id);
-- the worker's claim: pending rows in the order they fall due
CREATE INDEX IF NOT EXISTS webhook_deliveries_due
    ON webhook_deliveries (status, next_attempt_at);
-- erasure (a person's deliveries are found among their organisation's) and retention
CREATE INDEX IF NOT EXISTS webhook_deliveries_by_org ON webhook_deliveries (tenant, org_id);
CREATE INDEX IF NOT EXISTS webhook_deliveries_settled ON webhook_deliveries (status, settled_at);
