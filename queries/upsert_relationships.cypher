// Template: create or update relationships of one type between two labels, keyed by rid.
UNWIND $rows AS row
MATCH (a:{src_label} {{uid: row.src}}), (b:{dst_label} {{uid: row.dst}})
MERGE (a)-[r:{rel_type} {{rid: row.rid}}]->(b)
SET {assignments}
RETURN count(r) AS written
