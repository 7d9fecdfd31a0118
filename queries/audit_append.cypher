// Audit entries (ids, route names, status; no personal data).
// Parameters: $rows (audit entry property maps).
UNWIND $rows AS row
CREATE (a:AuditEntry)
SET a = row
