// Record the new version of each organisation an import changed.
// Parameters: $rows (list of {tenant, id, version, now}).
UNWIND $rows AS row
MATCH (o:Organisation {tenant: row.tenant, id: row.id})
SET o.version = row.version, o.updated_at = row.now
