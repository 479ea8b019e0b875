// Template: create or update relationships of one type between two labels, keyed by rid.
// Index hints: while a load runs the planner's statistics can still say a label is empty,
// and a plan made then scans the label or its index once per row.
UNWIND $rows AS row
MATCH (a:{src_label} {{uid: row.src}}) USING INDEX SEEK a:{src_label}(uid)
MATCH (b:{dst_label} {{uid: row.dst}}) USING INDEX SEEK b:{dst_label}(uid)
MERGE (a)-[r:{rel_type} {{rid: row.rid}}]->(b)
ON CREATE SET {on_create}
ON MATCH SET {on_match}
RETURN count(r) AS written
