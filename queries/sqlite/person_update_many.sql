-- Rewrite a stored person with their new state. Parameters: every column.
UPDATE people SET name = :name, title = :title, department = :department, email = :email,
    seniority = :seniority, roles = :roles, stance = :stance, influence = :influence,
    notes = :notes, external_id = :external_id, status = :status, left_on = :left_on,
    updated_at = :updated_at, version = :version
WHERE tenant = :tenant AND org_id = :org_id AND id = :id
