// Neo4j + GDS only (algorithms/shells/gds.py): every identifier the given businesses
// ($uids, the members of the clusters GDS found) hold through edges in force on $at, with
// its degree: how many businesses hold it (which decides whether it is a hub). Each distinct
// identifier's degree is counted once, however many of the given businesses hold it.
UNWIND $uids AS uid
MATCH (b:Business {uid: uid})
CALL (b) {
  MATCH (b)-[r:REGISTERED_AT]->(i)
  WHERE $at IS NULL OR ((r.since IS NULL OR r.since <= $at) AND (r.until IS NULL OR $at < r.until))
  RETURN 'address' AS kind, i
  UNION ALL
  MATCH (b)-[r:HAS_PHONE]->(i)
  WHERE $at IS NULL OR ((r.since IS NULL OR r.since <= $at) AND (r.until IS NULL OR $at < r.until))
  RETURN 'phone' AS kind, i
  UNION ALL
  MATCH (b)-[r:HAS_EMAIL]->(i)
  WHERE $at IS NULL OR ((r.since IS NULL OR r.since <= $at) AND (r.until IS NULL OR $at < r.until))
  RETURN 'email' AS kind, i
  UNION ALL
  MATCH (i)-[r:LEGAL_REPRESENTATIVE_OF]->(b)
  WHERE $at IS NULL OR ((r.since IS NULL OR r.since <= $at) AND (r.until IS NULL OR $at < r.until))
  RETURN 'legal_representative' AS kind, i
  UNION ALL
  MATCH (i)-[r:SHAREHOLDER_OF]->(b)
  WHERE $at IS NULL OR ((r.since IS NULL OR r.since <= $at) AND (r.until IS NULL OR $at < r.until))
  RETURN 'shareholder' AS kind, i
  UNION ALL
  MATCH (i)-[r:REGISTRATION_AGENT_OF]->(b)
  WHERE $at IS NULL OR ((r.since IS NULL OR r.since <= $at) AND (r.until IS NULL OR $at < r.until))
  RETURN 'registration_agent' AS kind, i
}
WITH kind, i, collect(DISTINCT b.uid) AS holders
CALL (kind, i) {
  MATCH (x:Business)-[s:REGISTERED_AT]->(i)
  WHERE kind = 'address' AND ($at IS NULL OR ((s.since IS NULL OR s.since <= $at) AND (s.until IS NULL OR $at < s.until)))
  RETURN count(DISTINCT x) AS degree
  UNION ALL
  MATCH (x:Business)-[s:HAS_PHONE]->(i)
  WHERE kind = 'phone' AND ($at IS NULL OR ((s.since IS NULL OR s.since <= $at) AND (s.until IS NULL OR $at < s.until)))
  RETURN count(DISTINCT x) AS degree
  UNION ALL
  MATCH (x:Business)-[s:HAS_EMAIL]->(i)
  WHERE kind = 'email' AND ($at IS NULL OR ((s.since IS NULL OR s.since <= $at) AND (s.until IS NULL OR $at < s.until)))
  RETURN count(DISTINCT x) AS degree
  UNION ALL
  MATCH (i)-[s:LEGAL_REPRESENTATIVE_OF]->(x:Business)
  WHERE kind = 'legal_representative' AND ($at IS NULL OR ((s.since IS NULL OR s.since <= $at) AND (s.until IS NULL OR $at < s.until)))
  RETURN count(DISTINCT x) AS degree
  UNION ALL
  MATCH (i)-[s:SHAREHOLDER_OF]->(x:Business)
  WHERE kind = 'shareholder' AND ($at IS NULL OR ((s.since IS NULL OR s.since <= $at) AND (s.until IS NULL OR $at < s.until)))
  RETURN count(DISTINCT x) AS degree
  UNION ALL
  MATCH (i)-[s:REGISTRATION_AGENT_OF]->(x:Business)
  WHERE kind = 'registration_agent' AND ($at IS NULL OR ((s.since IS NULL OR s.since <= $at) AND (s.until IS NULL OR $at < s.until)))
  RETURN count(DISTINCT x) AS degree
}
WITH kind, i, holders, sum(degree) AS degree
UNWIND holders AS business
RETURN business, kind, i.uid AS identifier, degree
