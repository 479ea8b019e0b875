// Template: update the relationships of a small batch (list of maps) the probe found: what
// MERGE's ON MATCH SET writes.
UNWIND $rows AS row
MATCH (a:{src_label} {{uid: row.src}})
MATCH (b:{dst_label} {{uid: row.dst}})
MATCH (a)-[r:{rel_type}]->(b)
WHERE r.rid = row.rid
SET {on_match}
RETURN count(r) AS written
