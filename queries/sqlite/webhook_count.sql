-- How many webhooks a tenant has. Parameters: :tenant.
SELECT count(*) AS webhooks FROM webhooks WHERE tenant = :tenant
