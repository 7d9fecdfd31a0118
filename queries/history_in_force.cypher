// The versions of an organisation and of the tenant's team in force at $at (valid from
// before it, until it or later). Parameters: $tenant, $org_id, $at.
UNWIND [$org_id, ''] AS org
MATCH (h:History {tenant: $tenant, _org: org})
WHERE h._to >= $at AND h._from < $at
RETURN collect({kind: h._kind, stored: properties(h)}) AS nodes
