-- Interactions (issue 16): meetings, calls, emails, events and messages between our team
-- members and people of an organisation, and where a tie's strength comes from. A strength
-- stored so far was given by a user or an import: it is a hand-set one.
ALTER TABLE relationships ADD COLUMN strength_source TEXT;
ALTER TABLE relationships ADD COLUMN derived_strength REAL;
UPDATE relationships SET strength_source = 'manual' WHERE strength IS NOT NULL;
CREATE TABLE IF NOT EXISTS interactions (
    tenant TEXT NOT NULL, org_id TEXT NOT NULL, id TEXT NOT NULL, occurred_on TEXT NOT NULL,
    kind TEXT NOT NULL, member_ids TEXT NOT NULL, person_ids TEXT NOT NULL, summary TEXT,
    sentiment TEXT, initiated_by TEXT,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, version INTEGER NOT NULL,
    PRIMARY KEY (tenant, org_id, id),
    FOREIGN KEY (tenant, org_id) REFERENCES organisations (tenant, id) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE UNIQUE INDEX IF NOT EXISTS interactions_by_id ON interactions (tenant, id);
CREATE INDEX IF NOT EXISTS interactions_by_day ON interactions (tenant, org_id, occurred_on, id);
-- One row per participant (a person or one of our team members), for the timelines.
CREATE TABLE IF NOT EXISTS interaction_parties (
    tenant TEXT NOT NULL, org_id TEXT NOT NULL, interaction_id TEXT NOT NULL,
    party_id TEXT NOT NULL, occurred_on TEXT NOT NULL,
    PRIMARY KEY (tenant, org_id, interaction_id, party_id),
    FOREIGN KEY (tenant, org_id, interaction_id)
        REFERENCES interactions (tenant, org_id, id) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS interaction_parties_by_party
    ON interaction_parties (tenant, party_id, occurred_on, interaction_id);
-- The parties follow the interaction's lists, in the same statement that changes them.
CREATE TRIGGER IF NOT EXISTS interaction_parties_on_insert AFTER INSERT ON interactions
BEGIN
    INSERT INTO interaction_parties (tenant, org_id, interaction_id, party_id, occurred_on)
    SELECT NEW.tenant, NEW.org_id, NEW.id, value, NEW.occurred_on FROM json_each(NEW.member_ids)
    UNION
    SELECT NEW.tenant, NEW.org_id, NEW.id, value, NEW.occurred_on FROM json_each(NEW.person_ids);
END;
CREATE TRIGGER IF NOT EXISTS interaction_parties_on_update
AFTER UPDATE OF member_ids, person_ids, occurred_on ON interactions
BEGIN
    DELETE FROM interaction_parties
    WHERE tenant = OLD.tenant AND org_id = OLD.org_id AND interaction_id = OLD.id;
    INSERT INTO interaction_parties (tenant, org_id, interaction_id, party_id, occurred_on)
    SELECT NEW.tenant, NEW.org_id, NEW.id, value, NEW.occurred_on FROM json_each(NEW.member_ids)
    UNION
    SELECT NEW.tenant, NEW.org_id, NEW.id, value, NEW.occurred_on FROM json_each(NEW.person_ids);
END;
