-- Delete a team member and their ties. Parameters: :tenant, :member_id.
DELETE FROM relationships WHERE tenant = :tenant AND source_id = :member_id;
DELETE FROM team_members WHERE tenant = :tenant AND id = :member_id
