// Template: one step of a bounded propagation traversal. Relationships of one type entering
// nodes of one label ($uids), with the properties the joint-punishment rules read.
MATCH (b)-[r:{rel_type}]->(a:{label})
WHERE a.uid IN $uids
RETURN r.rid AS rid, b.uid AS src, a.uid AS dst{props}
