-- Delete a person and every tie touching them. Parameters: :tenant, :org_id, :person_id.
DELETE FROM relationships WHERE tenant = :tenant AND org_id = :org_id
    AND (source_id = :person_id OR target_id = :person_id);
DELETE FROM people WHERE tenant = :tenant AND org_id = :org_id AND id = :person_id
