// A team change shows in every organisation's snapshot. Parameters: $tenant.
MATCH (o:Organisation {tenant: $tenant})
SET o.version = o.version + 1
