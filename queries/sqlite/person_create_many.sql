-- Create a person known to be new. Parameters: every column (roles as JSON text).
INSERT INTO people (id, tenant, created_at, updated_at, version, org_id, name, title, department, email, seniority, roles, stance, influence, notes, external_id, status, left_on)
VALUES (:id, :tenant, :created_at, :updated_at, :version, :org_id, :name, :title, :department, :email, :seniority, :roles, :stance, :influence, :notes, :external_id, :status, :left_on)
