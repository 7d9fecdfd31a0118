-- Whether any delivery is due: the worker's cheap look before it claims (a read).
-- Parameters: :now (epoch seconds).
SELECT id FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= :now LIMIT 1
