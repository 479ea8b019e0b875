// Template: create or update relationships of one type between two labels, keyed by rid.
UNWIND $rows AS row
MATCH (a:{src_label} {{uid: row.src}})
MATCH (b:{dst_label} {{uid: row.dst}})
MERGE (a)-[r:{rel_type} {{rid: row.rid}}]->(b)
ON CREATE SET {on_create}
ON MATCH SET {on_match}
RETURN count(r) AS written
