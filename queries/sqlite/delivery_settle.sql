-- Record the outcome of an attempt, only while the caller still holds its lease (a worker
-- whose lease ran out records nothing: another has claimed the delivery since).
-- Parameters: :id, :lease, :status, :next_attempt_at, :last_status_code, :last_error,
-- :last_attempt_at, :delivered_at, :settled_at.
UPDATE webhook_deliveries
SET status = :status, next_attempt_at = :next_attempt_at, last_status_code = :last_status_code,
    last_error = :last_error, last_attempt_at = :last_attempt_at, delivered_at = :delivered_at,
    settled_at = :settled_at, lease = NULL
WHERE id = :id AND lease = :lease
