-- Create a person known to be new. Parameters: every column (roles as JSON text).
INSERT INTO people (id, tenant, created_at, updated_at, version, org_id, name, title, department, email, seniority, roles, stance, influence, notes, external_id)
VALUES (:id, :tenant, :created_at, :updated_at, :version, :org_id, :name, :title, :department, :email, :seniority, :roles, :stance, :influence, :notes, :external_id)
