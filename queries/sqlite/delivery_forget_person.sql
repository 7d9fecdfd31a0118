-- Delete every delivery whose payload names a person, sent or not (their deletion or
-- erasure). Parameters: :tenant, :org_id, :person_id.
DELETE FROM webhook_deliveries
WHERE tenant = :tenant AND org_id = :org_id
    AND EXISTS (SELECT 1 FROM json_each(webhook_deliveries.subjects) WHERE value = :person_id)
