-- The tenant's whole team. Parameters: :tenant.
SELECT * FROM team_members WHERE tenant = :tenant ORDER BY id
