// Parameters: $tenant, $org_id, $opp_id, $person_id.
MATCH (:Person {tenant: $tenant, id: $person_id})-[s:ON_COMMITTEE]->(:Opportunity {tenant: $tenant, id: $opp_id})
WHERE s.org_id = $org_id
RETURN properties(s) AS node
