// Team member ids are unique per tenant.
CREATE CONSTRAINT team_member_key IF NOT EXISTS FOR (n:TeamMember) REQUIRE (n.tenant, n.id) IS UNIQUE
