-- A webhook's version, read under the write lock BEGIN IMMEDIATE holds.
-- Parameters: :tenant, :webhook_id.
SELECT version FROM webhooks WHERE tenant = :tenant AND id = :webhook_id
