// Person ids are unique per tenant.
CREATE CONSTRAINT person_key IF NOT EXISTS FOR (n:Person) REQUIRE (n.tenant, n.id) IS UNIQUE
