// Parameters: $tenant, $org_id, $rel_id.
MATCH ()-[r:REPORTS_TO|INFLUENCES|KNOWS|AFFILIATED_WITH {tenant: $tenant, id: $rel_id}]->()
WHERE r.org_id = $org_id
DELETE r
RETURN count(*) AS deleted
