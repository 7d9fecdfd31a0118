-- Rewrite a stored organisation with its new state. Parameters: every column.
UPDATE organisations SET name = :name, industry = :industry, tier = :tier,
    current_revenue = :current_revenue, potential_revenue = :potential_revenue,
    external_id = :external_id, parent_id = :parent_id, updated_at = :updated_at,
    version = :version
WHERE tenant = :tenant AND id = :id
