-- Delete a team member and their ties; the deals they owned have no owner any more (answers
-- those deals, for history). Parameters: :tenant, :member_id, :now.
DELETE FROM relationships WHERE tenant = :tenant AND source_id = :member_id;
UPDATE opportunities SET owner_id = NULL, version = version + 1, updated_at = :now
WHERE tenant = :tenant AND owner_id = :member_id
RETURNING *;
DELETE FROM team_members WHERE tenant = :tenant AND id = :member_id
