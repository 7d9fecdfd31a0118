-- Rewrite a stored team member with their new state. Parameters: every column.
UPDATE team_members SET name = :name, title = :title, seniority = :seniority, email = :email,
    updated_at = :updated_at, version = :version
WHERE tenant = :tenant AND id = :id
