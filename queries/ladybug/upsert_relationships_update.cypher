// Template: update relationships the probe found (same rid, same two ends): what MERGE's
// ON MATCH SET writes.
LOAD FROM $rows
MATCH (a:{src_label} {{uid: `src`}})
MATCH (b:{dst_label} {{uid: `dst`}})
MATCH (a)-[r:{rel_type}]->(b)
WHERE r.rid = `rid`
SET {on_match}
RETURN count(r) AS written
