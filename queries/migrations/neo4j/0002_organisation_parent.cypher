// Deleting an organisation detaches its children (organisation_delete.cypher matches
// Organisation {tenant, parent_id}): without this index that reads every organisation.
CREATE INDEX organisation_parent IF NOT EXISTS FOR (n:Organisation) ON (n.tenant, n.parent_id)
