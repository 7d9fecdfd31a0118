// One page of the ties stored under an organisation; each touches one of its people.
// Parameters: $tenant, $org_id, $after, $limit.
MATCH (:Person {tenant: $tenant, org_id: $org_id})-[r:REPORTS_TO|INFLUENCES|KNOWS|AFFILIATED_WITH]-()
WHERE r.org_id = $org_id AND r.id > $after
WITH DISTINCT r
RETURN properties(r) AS node
ORDER BY r.id
LIMIT $limit
