// Delete every delivery whose payload names a person, sent or not (their deletion or
// erasure). Parameters: $tenant, $org_id, $person_id.
MATCH (d:WebhookDelivery {tenant: $tenant, org_id: $org_id})
WHERE $person_id IN d.subjects
DELETE d
