// Every tie of an organisation as (type, source, target, dotted): what a plain import must
// know. Parameters: $tenant, $org_id.
MATCH (:Person {tenant: $tenant, org_id: $org_id})-[r:REPORTS_TO|INFLUENCES|KNOWS|AFFILIATED_WITH]-()
WHERE r.org_id = $org_id
WITH DISTINCT r
RETURN collect({type: type(r), source_id: r.source_id, target_id: r.target_id,
                dotted: coalesce(r.dotted, false)}) AS nodes
