// Deals (issue 15): (:Opportunity {tenant, id, org_id, ...}) nodes, and committee seats as
// (:Person)-[:ON_COMMITTEE {...}]->(:Opportunity) relationships, so deleting a person or a
// deal (DETACH DELETE) takes their seats with them.
CREATE CONSTRAINT opportunity_key IF NOT EXISTS
FOR (n:Opportunity) REQUIRE (n.tenant, n.id) IS UNIQUE;
CREATE INDEX opportunity_org IF NOT EXISTS FOR (n:Opportunity) ON (n.tenant, n.org_id);
CREATE INDEX opportunity_status IF NOT EXISTS FOR (n:Opportunity) ON (n.tenant, n.status);
CREATE INDEX opportunity_owner IF NOT EXISTS FOR (n:Opportunity) ON (n.tenant, n.owner_id)
