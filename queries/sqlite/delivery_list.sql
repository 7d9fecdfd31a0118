-- One page of a webhook's deliveries, oldest first (delivery ids are time-ordered), of one
-- status or all (''). Parameters: :tenant, :webhook_id, :status, :after, :limit.
SELECT tenant, id, webhook_id, event, event_id, org_id, status, attempts, next_attempt_at,
    last_status_code, last_error, last_attempt_at, created_at, delivered_at
FROM webhook_deliveries
WHERE tenant = :tenant AND webhook_id = :webhook_id AND id > :after
    AND (:status = '' OR status = :status)
ORDER BY id
LIMIT :limit
