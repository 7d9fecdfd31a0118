// Every organisation of the tenant (a team change bumps them all). Parameters: $tenant.
MATCH (o:Organisation {tenant: $tenant})
RETURN collect(properties(o)) AS nodes
