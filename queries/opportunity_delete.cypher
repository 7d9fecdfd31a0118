// Delete a deal and its committee seats. Parameters: $tenant, $org_id, $opp_id.
MATCH (o:Opportunity {tenant: $tenant, id: $opp_id})
WHERE o.org_id = $org_id
DETACH DELETE o
RETURN count(*) AS deleted
