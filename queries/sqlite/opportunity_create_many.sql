-- Create a deal known to be new. Parameters: every column.
INSERT INTO opportunities (id, tenant, created_at, updated_at, version, org_id, name, amount, currency, stage, status, close_date, trigger, owner_id, external_id)
VALUES (:id, :tenant, :created_at, :updated_at, :version, :org_id, :name, :amount, :currency, :stage, :status, :close_date, :trigger, :owner_id, :external_id)
