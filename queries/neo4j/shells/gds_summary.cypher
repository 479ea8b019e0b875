// Neo4j + GDS only (algorithms/shells/gds.py): the whole-graph figures of a shell detection,
// aggregated in the server so that no projection crosses Bolt: how many businesses, how many
// identifiers a business holds through edges in force on $at (one per kind and node, as the
// projection path counts them), the hubs (held by more than $hub_threshold[kind] businesses)
// with their degree, and whether any business operates a store at all.
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
WITH kind, i, count(DISTINCT b) AS degree
WITH count(*) AS identifiers,
     collect(CASE WHEN degree > $hub_threshold[kind]
                  THEN {uid: i.uid, kind: kind, degree: degree} END) AS hubs
RETURN identifiers, hubs,
       COUNT { MATCH (b:Business) } AS businesses,
       EXISTS { MATCH ()-[:OPERATES]->() } AS operates
