// Every organisation read is anchored on (tenant, org_id).
CREATE INDEX person_org IF NOT EXISTS FOR (n:Person) ON (n.tenant, n.org_id)
