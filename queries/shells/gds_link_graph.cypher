// Neo4j + GDS only: project the shell-cluster link graph (algorithms/gds_shells.py).
// Same rules as algorithms.shells: per (kind, identifier) the businesses holding it through
// edges in force on $at; identifiers held by more than $hub_threshold[kind] businesses are
// hubs, excluded or (with $downweight) weighted base / ln(degree) up to $max_linked;
// per pair and kind the strength is capped at the kind's weight; pairs whose summed
// strength reaches $link_threshold are linked (one undirected relationship).
CALL {
  MATCH (b:Business)-[r:REGISTERED_AT]->(i)
  WHERE $at IS NULL OR ((r.since IS NULL OR r.since <= $at) AND (r.until IS NULL OR $at < r.until))
  RETURN 'address' AS kind, i, b
  UNION ALL
  MATCH (b:Business)-[r:HAS_PHONE]->(i)
  WHERE $at IS NULL OR ((r.since IS NULL OR r.since <= $at) AND (r.until IS NULL OR $at < r.until))
  RETURN 'phone' AS kind, i, b
  UNION ALL
  MATCH (b:Business)-[r:HAS_EMAIL]->(i)
  WHERE $at IS NULL OR ((r.since IS NULL OR r.since <= $at) AND (r.until IS NULL OR $at < r.until))
  RETURN 'email' AS kind, i, b
  UNION ALL
  MATCH (i)-[r:LEGAL_REPRESENTATIVE_OF]->(b:Business)
  WHERE $at IS NULL OR ((r.since IS NULL OR r.since <= $at) AND (r.until IS NULL OR $at < r.until))
  RETURN 'legal_representative' AS kind, i, b
  UNION ALL
  MATCH (i)-[r:SHAREHOLDER_OF]->(b:Business)
  WHERE $at IS NULL OR ((r.since IS NULL OR r.since <= $at) AND (r.until IS NULL OR $at < r.until))
  RETURN 'shareholder' AS kind, i, b
  UNION ALL
  MATCH (i)-[r:REGISTRATION_AGENT_OF]->(b:Business)
  WHERE $at IS NULL OR ((r.since IS NULL OR r.since <= $at) AND (r.until IS NULL OR $at < r.until))
  RETURN 'registration_agent' AS kind, i, b
}
WITH kind, i, collect(DISTINCT b) AS members
WITH kind, members, size(members) AS degree, $weights[kind] AS base
WHERE degree >= 2
WITH kind, members, base,
     CASE
       WHEN degree <= $hub_threshold[kind] THEN base
       WHEN $downweight AND degree <= $max_linked THEN base / log(degree)
       ELSE 0.0
     END AS w
WHERE w > 0
UNWIND members AS a
UNWIND members AS b
WITH kind, base, w, a, b
WHERE a.uid < b.uid
WITH a, b, kind, base, sum(w) AS s
WITH a, b, CASE WHEN s > base THEN base ELSE s END AS capped
WITH a, b, sum(capped) AS strength
WHERE strength >= $link_threshold - 1e-9
RETURN gds.graph.project($graph, a, b, {}, {undirectedRelationshipTypes: ['*']})
