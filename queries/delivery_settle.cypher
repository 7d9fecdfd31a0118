// Record the outcome of attempts, each only while the caller still holds its lease (a
// worker whose lease ran out records nothing: another has claimed the delivery since).
// Parameters: $rows (maps of id, lease, status, next_attempt_at, last_status_code,
// last_error, last_attempt_at, delivered_at, settled_at).
UNWIND $rows AS row
MATCH (d:WebhookDelivery {id: row.id})
WHERE d.lease = row.lease
SET d.status = row.status, d.next_attempt_at = row.next_attempt_at,
    d.last_status_code = row.last_status_code, d.last_error = row.last_error,
    d.last_attempt_at = row.last_attempt_at, d.delivered_at = row.delivered_at,
    d.settled_at = row.settled_at, d.lease = null
