-- Delete up to :limit deliveries that were delivered or failed before :before (retention).
-- Parameters: :before (epoch seconds), :limit.
DELETE FROM webhook_deliveries WHERE id IN (
    SELECT id FROM webhook_deliveries
    WHERE status IN ('delivered', 'failed') AND settled_at < :before
    LIMIT :limit
);
SELECT changes() AS deleted
