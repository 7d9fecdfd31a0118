-- One webhook of a tenant (its secret is dropped by the repository). Parameters: :tenant,
-- :webhook_id.
SELECT * FROM webhooks WHERE tenant = :tenant AND id = :webhook_id
