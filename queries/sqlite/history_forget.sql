-- Erase a person from history: their versions and those of every tie or seat touching
-- them (one statement per column, each on its index). Parameters: :tenant, :person_id.
DELETE FROM history WHERE tenant = :tenant AND entity_id = :person_id;
DELETE FROM history WHERE tenant = :tenant AND source_id = :person_id;
DELETE FROM history WHERE tenant = :tenant AND target_id = :person_id;
DELETE FROM history_entities WHERE tenant = :tenant AND entity_id = :person_id
