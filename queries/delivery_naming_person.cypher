// Every delivery whose payload names a person (for their personal-data export), oldest
// first. Parameters: $tenant, $org_id, $person_id.
MATCH (d:WebhookDelivery {tenant: $tenant, org_id: $org_id})
WHERE $person_id IN d.subjects
RETURN d {.tenant, .id, .webhook_id, .event, .event_id, .org_id, .status, .attempts,
    .next_attempt_at, .last_status_code, .last_error, .last_attempt_at, .created_at,
    .delivered_at, .payload} AS node
ORDER BY d.id
