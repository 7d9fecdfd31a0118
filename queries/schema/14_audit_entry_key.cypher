// Audit entries are listed per tenant in id (time) order.
CREATE CONSTRAINT audit_entry_key IF NOT EXISTS FOR (n:AuditEntry) REQUIRE (n.tenant, n.id) IS UNIQUE
