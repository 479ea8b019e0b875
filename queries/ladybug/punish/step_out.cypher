// Template: one step of a bounded propagation traversal, for one node ($uid): relationships
// of one type leaving it, with the properties the joint-punishment rules read.
// LadybugDB: `a.uid IN $uids` scans the whole label and an UNWIND or LOAD FROM joins the
// whole relationship table; an equality on the primary key is an index lookup.
MATCH (a:{label} {{uid: $uid}})-[r:{rel_type}]->(b)
RETURN r.rid AS rid, a.uid AS src, b.uid AS dst{props}
