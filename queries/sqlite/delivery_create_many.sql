-- Add a delivery to the outbox (in the transaction of the change it reports).
-- Parameters: :tenant, :id, :webhook_id, :event, :event_id, :org_id, :subjects (JSON list),
-- :payload, :status, :attempts, :next_attempt_at, :created_at.
INSERT INTO webhook_deliveries (tenant, id, webhook_id, event, event_id, org_id, subjects,
    payload, status, attempts, next_attempt_at, created_at)
VALUES (:tenant, :id, :webhook_id, :event, :event_id, :org_id, :subjects, :payload, :status,
    :attempts, :next_attempt_at, :created_at)
