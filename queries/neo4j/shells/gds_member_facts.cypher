// Neo4j + GDS only (algorithms/shells/gds.py): what scoring a cluster reads about each of
// the given businesses ($uids): registration date, the stores it operates and the lists it
// is on (with the edges' since/until, filtered on $at by the same code as the projection path).
UNWIND $uids AS uid
MATCH (b:Business {uid: uid})
RETURN b.uid AS business, b.established AS established,
       COLLECT {
         MATCH (b)-[r:OPERATES]->(s)
         RETURN {target: s.uid, since: r.since, until: r.until}
       } AS operates,
       COLLECT {
         MATCH (b)-[r:LISTED]->(l)
         RETURN {target: l.uid, list_type: l.list_type, removed: l.removed,
                 since: r.since, until: r.until}
       } AS listed
