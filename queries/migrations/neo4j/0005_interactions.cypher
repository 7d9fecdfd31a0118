// Interactions (issue 16): (:Interaction {tenant, id, org_id, occurred_on, kind,
// member_ids, person_ids, ...}) nodes, and where a tie's strength comes from. A strength
// stored so far was given by a user or an import: it is a hand-set one.
CREATE CONSTRAINT interaction_key IF NOT EXISTS
FOR (n:Interaction) REQUIRE (n.tenant, n.id) IS UNIQUE;
CREATE INDEX interaction_day IF NOT EXISTS
FOR (n:Interaction) ON (n.tenant, n.org_id, n.occurred_on);
CREATE INDEX interaction_tenant_day IF NOT EXISTS
FOR (n:Interaction) ON (n.tenant, n.occurred_on);
CREATE INDEX interaction_org IF NOT EXISTS FOR (n:Interaction) ON (n.tenant, n.org_id);
CREATE INDEX interaction_tenant IF NOT EXISTS FOR (n:Interaction) ON (n.tenant);
MATCH ()-[r:INFLUENCES|KNOWS]->()
WHERE r.strength IS NOT NULL AND r.strength_source IS NULL
SET r.strength_source = 'manual'
