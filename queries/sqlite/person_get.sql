-- Parameters: :tenant, :org_id, :person_id.
SELECT * FROM people WHERE tenant = :tenant AND org_id = :org_id AND id = :person_id
