// Parameters: $tenant, $org_id.
MATCH (o:Organisation {tenant: $tenant, id: $org_id})
RETURN o.version AS version
