-- The deals a team member owns. Parameters: :tenant, :member_id.
SELECT * FROM opportunities WHERE tenant = :tenant AND owner_id = :member_id
