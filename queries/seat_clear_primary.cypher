// A deal has one primary contact: every other seat that was primary no longer is; answers
// the changed seats (history records them).
// Parameters: $tenant, $org_id, $opp_id, $person_id (the new primary), $now.
MATCH (:Opportunity {tenant: $tenant, id: $opp_id})<-[s:ON_COMMITTEE]-()
WHERE s.org_id = $org_id AND s.is_primary AND s.person_id <> $person_id
SET s.is_primary = false, s.version = s.version + 1, s.updated_at = $now
RETURN collect(properties(s)) AS nodes
