-- Every delivery whose payload names a person (for their personal-data export), oldest
-- first. Parameters: :tenant, :org_id, :person_id.
SELECT tenant, id, webhook_id, event, event_id, org_id, status, attempts, next_attempt_at,
    last_status_code, last_error, last_attempt_at, created_at, delivered_at, payload
FROM webhook_deliveries AS d
WHERE tenant = :tenant AND org_id = :org_id
    AND EXISTS (SELECT 1 FROM json_each(d.subjects) WHERE value = :person_id)
ORDER BY id
