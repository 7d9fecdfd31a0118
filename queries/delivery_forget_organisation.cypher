// Delete every delivery about an organisation (it is being deleted). Parameters: $tenant,
// $org_id.
MATCH (d:WebhookDelivery {tenant: $tenant, org_id: $org_id})
DELETE d
