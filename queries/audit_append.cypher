// Parameters: $row (audit entry properties: ids, route names, status; no personal data).
CREATE (a:AuditEntry)
SET a = $row
