// History (issue 16): every version of every organisation, person, team member, tie, deal and
// committee seat as a (:History) node holding the stored properties of that version and
// `_kind`, `_entity` (its id), `_org` ('' for team members), `_from`, `_to` (valid time, see
// queries/migrations/sqlite/0007_history.sql), `_source`, `_target` (a tie's ends, a seat's
// deal and person). Versions before this migration are not known: what is stored now is its
// first version, valid from its creation (to the second); what already has a version keeps it
// (running this again, or beside another ledger, adds nothing).
CREATE CONSTRAINT history_key IF NOT EXISTS
FOR (n:History) REQUIRE (n.tenant, n._kind, n._entity, n._from) IS UNIQUE;
CREATE INDEX history_in_force IF NOT EXISTS FOR (n:History) ON (n.tenant, n._org, n._to);
CREATE INDEX history_by_day IF NOT EXISTS FOR (n:History) ON (n.tenant, n._org, n._from);
CREATE INDEX history_by_source IF NOT EXISTS FOR (n:History) ON (n.tenant, n._source);
CREATE INDEX history_by_target IF NOT EXISTS FOR (n:History) ON (n.tenant, n._target);
CREATE INDEX history_by_entity IF NOT EXISTS FOR (n:History) ON (n.tenant, n._entity);
MATCH (o:Organisation)
WHERE NOT EXISTS { MATCH (:History {tenant: o.tenant, _entity: o.id}) }
CREATE (h:History)
SET h = properties(o), h._kind = 'organisation', h._entity = o.id, h._org = o.id,
    h._from = substring(o.created_at, 0, 19) + '.000Z', h._to = '9999-12-31T23:59:59.999Z';
MATCH (o:Person)
WHERE NOT EXISTS { MATCH (:History {tenant: o.tenant, _entity: o.id}) }
CREATE (h:History)
SET h = properties(o), h._kind = 'person', h._entity = o.id, h._org = o.org_id,
    h._from = substring(o.created_at, 0, 19) + '.000Z', h._to = '9999-12-31T23:59:59.999Z';
MATCH (o:TeamMember)
WHERE NOT EXISTS { MATCH (:History {tenant: o.tenant, _entity: o.id}) }
CREATE (h:History)
SET h = properties(o), h._kind = 'team', h._entity = o.id, h._org = '',
    h._from = substring(o.created_at, 0, 19) + '.000Z', h._to = '9999-12-31T23:59:59.999Z';
MATCH (o:Opportunity)
WHERE NOT EXISTS { MATCH (:History {tenant: o.tenant, _entity: o.id}) }
CREATE (h:History)
SET h = properties(o), h._kind = 'opportunity', h._entity = o.id, h._org = o.org_id,
    h._from = substring(o.created_at, 0, 19) + '.000Z', h._to = '9999-12-31T23:59:59.999Z';
MATCH (s)-[r:REPORTS_TO|INFLUENCES|KNOWS|AFFILIATED_WITH]->(t)
WHERE NOT EXISTS { MATCH (:History {tenant: r.tenant, _entity: r.id}) }
CREATE (h:History)
SET h = properties(r), h._kind = 'relationship', h._entity = r.id, h._org = r.org_id,
    h._from = substring(r.created_at, 0, 19) + '.000Z', h._to = '9999-12-31T23:59:59.999Z',
    h._source = r.source_id, h._target = r.target_id;
MATCH (:Person)-[c:ON_COMMITTEE]->(:Opportunity)
WHERE NOT EXISTS { MATCH (:History {tenant: c.tenant, _entity: c.id}) }
CREATE (h:History)
SET h = properties(c), h._kind = 'seat', h._entity = c.id, h._org = c.org_id,
    h._from = substring(c.created_at, 0, 19) + '.000Z', h._to = '9999-12-31T23:59:59.999Z',
    h._source = c.opportunity_id, h._target = c.person_id
