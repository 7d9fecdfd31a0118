-- Parameters: :tenant, :member_id.
SELECT * FROM team_members WHERE tenant = :tenant AND id = :member_id
