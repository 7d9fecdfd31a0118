CREATE INDEX influences_id IF NOT EXISTS FOR ()-[r:INFLUENCES]-() ON (r.tenant, r.id)
