// Template: create relationships a probe found new; rows whose ends are missing write
// nothing, as MERGE would.
// Index hints: while a load runs the planner's statistics can still say a label is empty,
// and a plan made then scans the label or its index once per row.
UNWIND $rows AS row
MATCH (a:{src_label} {{uid: row.src}}) USING INDEX SEEK a:{src_label}(uid)
MATCH (b:{dst_label} {{uid: row.dst}}) USING INDEX SEEK b:{dst_label}(uid)
CREATE (a)-[r:{rel_type} {{rid: row.rid}}]->(b)
SET {on_create}
RETURN count(r) AS written
