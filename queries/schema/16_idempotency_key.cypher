// One idempotency record per key and tenant (a concurrent MERGE of the same key waits for it).
CREATE CONSTRAINT idempotency_key IF NOT EXISTS FOR (n:IdempotencyKey) REQUIRE (n.tenant, n.key) IS UNIQUE
