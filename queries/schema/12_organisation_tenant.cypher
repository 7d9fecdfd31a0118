// Listing a tenant's organisations in id order.
CREATE INDEX organisation_tenant IF NOT EXISTS FOR (n:Organisation) ON (n.tenant)
