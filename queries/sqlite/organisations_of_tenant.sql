-- Every organisation of the tenant (a team change bumps them all). Parameters: :tenant.
SELECT * FROM organisations WHERE tenant = :tenant
