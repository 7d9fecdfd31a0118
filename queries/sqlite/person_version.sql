-- A person's version, read under the write lock. Parameters: :tenant, :org_id, :person_id.
SELECT version FROM people WHERE tenant = :tenant AND org_id = :org_id AND id = :person_id
