// One page of an organisation's changes in time order from the cursor ($after_at, $after_id):
// versions opened (with the version they replaced) and versions closed without a successor
// (deletions). Organisation version bumps are not changes. Parameters: $tenant, $org_id,
// $since, $after_at, $after_id, $limit.
CALL () {
  MATCH (h:History {tenant: $tenant, _org: $org_id})
  WHERE h._from >= $since AND h._kind <> 'organisation'
  OPTIONAL MATCH (p:History {tenant: $tenant, _entity: h._entity, _to: h._from})
  WHERE p._kind = h._kind
  RETURN h._from AS at, h._kind AS kind, h._entity AS entity_id, 'opened' AS event,
         properties(h) AS after, properties(p) AS before
  UNION ALL
  MATCH (h:History {tenant: $tenant, _org: $org_id})
  WHERE h._to >= $since AND h._to < '9999' AND h._kind <> 'organisation'
    AND NOT EXISTS { MATCH (n:History {tenant: $tenant, _entity: h._entity, _from: h._to})
                     WHERE n._kind = h._kind }
  RETURN h._to AS at, h._kind AS kind, h._entity AS entity_id, 'closed' AS event,
         null AS after, properties(h) AS before
}
WITH at, kind, entity_id, event, after, before
WHERE at > $after_at OR (at = $after_at AND entity_id + event > $after_id)
RETURN at, kind, entity_id, event, after, before
ORDER BY at, entity_id + event
LIMIT $limit
