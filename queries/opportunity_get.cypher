// Parameters: $tenant, $org_id, $opp_id.
MATCH (o:Opportunity {tenant: $tenant, id: $opp_id})
WHERE o.org_id = $org_id
RETURN properties(o) AS node
