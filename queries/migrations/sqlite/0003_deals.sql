-- Deals (issue 15): opportunities under an organisation, and the seats of their buying
-- committees. A seat goes with its deal and with its person (foreign keys cascade), so
-- deleting a person, a deal or the organisation leaves no seat behind.
CREATE TABLE IF NOT EXISTS opportunities (
    tenant TEXT NOT NULL, org_id TEXT NOT NULL, id TEXT NOT NULL, name TEXT NOT NULL,
    amount TEXT, currency TEXT, stage TEXT NOT NULL, status TEXT NOT NULL, close_date TEXT,
    trigger TEXT, owner_id TEXT, external_id TEXT,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, version INTEGER NOT NULL,
    PRIMARY KEY (tenant, org_id, id),
    FOREIGN KEY (tenant, org_id) REFERENCES organisations (tenant, id) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE UNIQUE INDEX IF NOT EXISTS opportunities_by_id ON opportunities (tenant, id);
CREATE INDEX IF NOT EXISTS opportunities_by_owner ON opportunities (tenant, owner_id);
CREATE INDEX IF NOT EXISTS opportunities_by_status ON opportunities (tenant, status, id);
CREATE TABLE IF NOT EXISTS committee_seats (
    tenant TEXT NOT NULL, org_id TEXT NOT NULL, opportunity_id TEXT NOT NULL,
    person_id TEXT NOT NULL, id TEXT NOT NULL, roles TEXT NOT NULL, stance TEXT NOT NULL,
    influence INTEGER, is_primary INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, version INTEGER NOT NULL,
    PRIMARY KEY (tenant, org_id, opportunity_id, person_id),
    FOREIGN KEY (tenant, org_id, opportunity_id)
        REFERENCES opportunities (tenant, org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant, org_id, person_id)
        REFERENCES people (tenant, org_id, id) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS committee_seats_by_person ON committee_seats (tenant, org_id, person_id);
