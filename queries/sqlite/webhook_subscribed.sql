-- The active webhooks of a tenant and the events each wants: the one read a write that
-- reports events makes (a primary-key range; none when nobody subscribes). Parameters: :tenant.
SELECT id, events FROM webhooks WHERE tenant = :tenant AND active = 1
