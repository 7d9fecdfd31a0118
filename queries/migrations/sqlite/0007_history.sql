-- History (issue 16): every version of every organisation, person, team member, tie, deal and
-- committee seat, valid from the write that made it until the write that replaced or deleted
-- it (valid time, UTC, 'YYYY-MM-DDTHH:MM:SS.mmmZ'; an open version ends at the sentinel
-- '9999-12-31T23:59:59.999Z'). `stored` is the stored row as JSON; `source_id`/`target_id`
-- are a tie's ends (a seat's deal and person), so deleting or erasing a person closes or
-- removes everything that touched them. Team members are tenant-wide (`org_id` '').
-- Versions before this migration are not known: what is stored now is its first version,
-- valid from its creation (to the second).
CREATE TABLE IF NOT EXISTS history (
    tenant TEXT NOT NULL, org_id TEXT NOT NULL, kind TEXT NOT NULL, entity_id TEXT NOT NULL,
    valid_from TEXT NOT NULL, valid_to TEXT NOT NULL, source_id TEXT, target_id TEXT,
    stored TEXT NOT NULL,
    PRIMARY KEY (tenant, kind, entity_id, valid_from)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS history_in_force ON history (tenant, org_id, valid_to);
-- Each entity an organisation (or, with org_id '', the team) ever held, once: a past
-- day's read seeks each one's version then, so it costs what the organisation's size says,
-- not its history's. The trigger keeps it in the statement that opens a version.
CREATE TABLE IF NOT EXISTS history_entities (
    tenant TEXT NOT NULL, org_id TEXT NOT NULL, kind TEXT NOT NULL, entity_id TEXT NOT NULL,
    PRIMARY KEY (tenant, org_id, kind, entity_id)
) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS history_entities_on_insert AFTER INSERT ON history
BEGIN
    INSERT OR IGNORE INTO history_entities (tenant, org_id, kind, entity_id)
    VALUES (NEW.tenant, NEW.org_id, NEW.kind, NEW.entity_id);
END;
CREATE INDEX IF NOT EXISTS history_by_day ON history (tenant, org_id, valid_from);
CREATE INDEX IF NOT EXISTS history_by_source ON history (tenant, source_id);
CREATE INDEX IF NOT EXISTS history_by_target ON history (tenant, target_id);
CREATE INDEX IF NOT EXISTS history_by_entity ON history (tenant, entity_id);
INSERT OR IGNORE INTO history (tenant, org_id, kind, entity_id, valid_from, valid_to, source_id, target_id, stored)
SELECT tenant, id, 'organisation', id, substr(created_at, 1, 19) || '.000Z', '9999-12-31T23:59:59.999Z',
    NULL, NULL, json_object('id', id, 'tenant', tenant, 'created_at', created_at, 'updated_at', updated_at, 'version', version, 'name', name, 'industry', industry, 'tier', tier, 'current_revenue', current_revenue, 'potential_revenue', potential_revenue, 'external_id', external_id, 'parent_id', parent_id)
FROM organisations;
INSERT OR IGNORE INTO history (tenant, org_id, kind, entity_id, valid_from, valid_to, source_id, target_id, stored)
SELECT tenant, org_id, 'person', id, substr(created_at, 1, 19) || '.000Z', '9999-12-31T23:59:59.999Z',
    NULL, NULL, json_object('id', id, 'tenant', tenant, 'created_at', created_at, 'updated_at', updated_at, 'version', version, 'org_id', org_id, 'name', name, 'title', title, 'department', department, 'email', email, 'seniority', seniority, 'roles', json(roles), 'stance', stance, 'influence', influence, 'notes', notes, 'external_id', external_id, 'status', status, 'left_on', left_on)
FROM people;
INSERT OR IGNORE INTO history (tenant, org_id, kind, entity_id, valid_from, valid_to, source_id, target_id, stored)
SELECT tenant, '', 'team', id, substr(created_at, 1, 19) || '.000Z', '9999-12-31T23:59:59.999Z',
    NULL, NULL, json_object('id', id, 'tenant', tenant, 'created_at', created_at, 'updated_at', updated_at, 'version', version, 'name', name, 'title', title, 'seniority', seniority, 'email', email)
FROM team_members;
INSERT OR IGNORE INTO history (tenant, org_id, kind, entity_id, valid_from, valid_to, source_id, target_id, stored)
SELECT tenant, org_id, 'relationship', id, substr(created_at, 1, 19) || '.000Z', '9999-12-31T23:59:59.999Z',
    source_id, target_id, json_object('id', id, 'tenant', tenant, 'created_at', created_at, 'updated_at', updated_at, 'version', version, 'org_id', org_id, 'type', type, 'source_id', source_id, 'target_id', target_id, 'strength', strength, 'last_contact', last_contact, 'channel', channel, 'dotted', json(CASE WHEN dotted THEN 'true' ELSE 'false' END), 'role', role, 'strength_source', strength_source, 'derived_strength', derived_strength)
FROM relationships;
INSERT OR IGNORE INTO history (tenant, org_id, kind, entity_id, valid_from, valid_to, source_id, target_id, stored)
SELECT tenant, org_id, 'opportunity', id, substr(created_at, 1, 19) || '.000Z', '9999-12-31T23:59:59.999Z',
    NULL, NULL, json_object('id', id, 'tenant', tenant, 'created_at', created_at, 'updated_at', updated_at, 'version', version, 'org_id', org_id, 'name', name, 'amount', amount, 'currency', currency, 'stage', stage, 'status', status, 'close_date', close_date, 'trigger', trigger, 'owner_id', owner_id, 'external_id', external_id)
FROM opportunities;
INSERT OR IGNORE INTO history (tenant, org_id, kind, entity_id, valid_from, valid_to, source_id, target_id, stored)
SELECT tenant, org_id, 'seat', id, substr(created_at, 1, 19) || '.000Z', '9999-12-31T23:59:59.999Z',
    opportunity_id, person_id, json_object('id', id, 'tenant', tenant, 'created_at', created_at, 'updated_at', updated_at, 'version', version, 'org_id', org_id, 'opportunity_id', opportunity_id, 'person_id', person_id, 'roles', json(roles), 'stance', stance, 'influence', influence, 'is_primary', json(CASE WHEN is_primary THEN 'true' ELSE 'false' END))
FROM committee_seats;
