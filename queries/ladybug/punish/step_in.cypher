// Template: one step of a bounded propagation traversal, for one node ($uid): relationships
// of one type entering it, with the properties the joint-punishment rules read.
// LadybugDB: `a.uid IN $uids` scans the whole label and an UNWIND or LOAD FROM joins the
// whole relationship table; an equality on the primary key is an index lookup.
MATCH (b)-[r:{rel_type}]->(a:{label} {{uid: $uid}})
RETURN r.rid AS rid, b.uid AS src, a.uid AS dst{props}
