// Template: one step of a bounded propagation traversal. Relationships of one type leaving
// nodes of one label ($uids), with the properties the joint-punishment rules read.
MATCH (a:{label})-[r:{rel_type}]->(b)
WHERE a.uid IN $uids
RETURN r.rid AS rid, a.uid AS src, b.uid AS dst{props}
