-- Create an organisation known to be new (fresh id). Parameters: every column.
INSERT INTO organisations (id, tenant, created_at, updated_at, version, name, industry, tier, current_revenue, potential_revenue, external_id, parent_id)
VALUES (:id, :tenant, :created_at, :updated_at, :version, :name, :industry, :tier, :current_revenue, :potential_revenue, :external_id, :parent_id)
