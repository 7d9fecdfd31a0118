CREATE INDEX knows_id IF NOT EXISTS FOR ()-[r:KNOWS]-() ON (r.tenant, r.id)
