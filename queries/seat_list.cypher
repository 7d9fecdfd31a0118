// One page of a deal's committee, in person-id order.
// Parameters: $tenant, $org_id, $opp_id, $after, $limit.
MATCH (:Opportunity {tenant: $tenant, id: $opp_id})<-[s:ON_COMMITTEE]-()
WHERE s.org_id = $org_id AND s.person_id > $after
RETURN properties(s) AS node
ORDER BY s.person_id
LIMIT $limit
