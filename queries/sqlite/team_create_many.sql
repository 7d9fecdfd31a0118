-- Create a team member known to be new. Parameters: every column.
INSERT INTO team_members (id, tenant, created_at, updated_at, version, name, title, seniority, email)
VALUES (:id, :tenant, :created_at, :updated_at, :version, :name, :title, :seniority, :email)
