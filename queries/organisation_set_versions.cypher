// Record the new version of each organisation an import changed.
// Parameters: $tenant, $rows (list of {id, version}), $now.
UNWIND $rows AS row
MATCH (o:Organisation {tenant: $tenant, id: row.id})
SET o.version = row.version, o.updated_at = $now
