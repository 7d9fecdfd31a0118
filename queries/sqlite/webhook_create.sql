-- Store a new webhook. Parameters: :tenant, :id, :url, :events (JSON list), :secret,
-- :description, :active, :created_at, :updated_at, :version.
INSERT INTO webhooks (tenant, id, url, events, secret, description, active, created_at,
    updated_at, version)
VALUES (:tenant, :id, :url, :events, :secret, :description, :active, :created_at, :updated_at,
    :version)
