-- One audit entry (ids, route names, status; no personal data). Parameters: its fields.
INSERT INTO audit_log (id, tenant, at, key_id, action, method, resource, resource_id, org_id,
    status, request_id)
VALUES (:id, :tenant, :at, :key_id, :action, :method, :resource, :resource_id, :org_id,
    :status, :request_id)
