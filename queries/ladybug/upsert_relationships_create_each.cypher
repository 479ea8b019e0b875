// Template: create the relationships of a small batch (list of maps) the probe found absent.
UNWIND $rows AS row
MATCH (a:{src_label} {{uid: row.src}})
MATCH (b:{dst_label} {{uid: row.dst}})
CREATE (a)-[r:{rel_type} {{rid: row.rid}}]->(b)
SET {on_create}
RETURN count(r) AS written
