// One step up the parent chain. Parameters: $tenant, $org_id.
MATCH (o:Organisation {tenant: $tenant, id: $org_id})
RETURN o.parent_id AS parent_id
