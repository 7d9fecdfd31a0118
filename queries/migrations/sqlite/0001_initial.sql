-- The schema of tag schema-1 (the commit before versioned migrations), exactly: every
-- statement is IF NOT EXISTS, so on a store created by that code (tables, no version) this
-- only adds the version table and records version 1.
CREATE TABLE IF NOT EXISTS schema_version (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS organisations (
    tenant TEXT NOT NULL, id TEXT NOT NULL, name TEXT NOT NULL, industry TEXT, tier INTEGER,
    current_revenue REAL, potential_revenue REAL, external_id TEXT, parent_id TEXT,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, version INTEGER NOT NULL,
    PRIMARY KEY (tenant, id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS people (
    tenant TEXT NOT NULL, org_id TEXT NOT NULL, id TEXT NOT NULL, name TEXT NOT NULL,
    title TEXT, department TEXT, email TEXT, seniority TEXT, roles TEXT NOT NULL,
    stance TEXT NOT NULL, influence INTEGER, notes TEXT, external_id TEXT,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, version INTEGER NOT NULL,
    PRIMARY KEY (tenant, org_id, id),
    FOREIGN KEY (tenant, org_id) REFERENCES organisations (tenant, id) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE UNIQUE INDEX IF NOT EXISTS people_by_id ON people (tenant, id);
CREATE TABLE IF NOT EXISTS team_members (
    tenant TEXT NOT NULL, id TEXT NOT NULL, name TEXT NOT NULL, title TEXT, seniority TEXT,
    email TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL, version INTEGER NOT NULL,
    PRIMARY KEY (tenant, id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS relationships (
    tenant TEXT NOT NULL, org_id TEXT NOT NULL, id TEXT NOT NULL, type TEXT NOT NULL,
    source_id TEXT NOT NULL, target_id TEXT NOT NULL, strength REAL, last_contact TEXT,
    channel TEXT, dotted INTEGER NOT NULL DEFAULT 0, role TEXT,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, version INTEGER NOT NULL,
    PRIMARY KEY (tenant, org_id, id),
    FOREIGN KEY (tenant, org_id) REFERENCES organisations (tenant, id) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE UNIQUE INDEX IF NOT EXISTS relationships_by_id ON relationships (tenant, id);
CREATE INDEX IF NOT EXISTS relationships_by_source ON relationships (tenant, source_id);
CREATE INDEX IF NOT EXISTS relationships_by_target ON relationships (tenant, target_id);
CREATE TABLE IF NOT EXISTS api_keys (
    id TEXT PRIMARY KEY, tenant TEXT NOT NULL, role TEXT NOT NULL, name TEXT,
    secret_hash TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL, last_used_at TEXT,
    revoked_at TEXT
);
CREATE INDEX IF NOT EXISTS api_keys_by_tenant ON api_keys (tenant);
CREATE TABLE IF NOT EXISTS audit_log (
    tenant TEXT NOT NULL, id TEXT NOT NULL, at TEXT NOT NULL, key_id TEXT NOT NULL,
    action TEXT NOT NULL, method TEXT NOT NULL, resource TEXT NOT NULL, resource_id TEXT,
    org_id TEXT, status INTEGER NOT NULL, request_id TEXT,
    PRIMARY KEY (tenant, id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS idempotency_keys (
    tenant TEXT NOT NULL, key TEXT NOT NULL, state TEXT NOT NULL, fingerprint TEXT NOT NULL,
    token TEXT, lease_until REAL NOT NULL, expires_at REAL NOT NULL, status INTEGER,
    body BLOB, headers TEXT, created_at REAL NOT NULL,
    PRIMARY KEY (tenant, key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS idempotency_keys_by_expiry ON idempotency_keys (expires_at);
