-- Readiness probe: the schema is there and the file reads. Parameters: none.
SELECT 1 AS ok FROM organisations LIMIT 1
