// Organisation ids are unique per tenant.
CREATE CONSTRAINT organisation_key IF NOT EXISTS FOR (n:Organisation) REQUIRE (n.tenant, n.id) IS UNIQUE
