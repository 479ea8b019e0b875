// Template: which uids of a node batch the label already holds. The bulk path creates
// the others and merges these.
// Index hints: while a load runs the planner's statistics can still say a label is empty,
// and a plan made then scans the label or its index once per row.
UNWIND $uids AS uid
MATCH (n:{label} {{uid: uid}}) USING INDEX SEEK n:{label}(uid)
RETURN n.uid AS uid
