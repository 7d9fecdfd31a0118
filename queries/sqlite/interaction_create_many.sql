-- Store a new interaction (its parties follow from the trigger of migration 0005).
-- Parameters: every column.
INSERT INTO interactions (tenant, org_id, id, occurred_on, kind, member_ids, person_ids, summary, sentiment, initiated_by, created_at, updated_at, version)
VALUES (:tenant, :org_id, :id, :occurred_on, :kind, :member_ids, :person_ids, :summary, :sentiment, :initiated_by, :created_at, :updated_at, :version)
