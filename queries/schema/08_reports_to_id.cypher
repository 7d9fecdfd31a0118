CREATE INDEX reports_to_id IF NOT EXISTS FOR ()-[r:REPORTS_TO]-() ON (r.tenant, r.id)
