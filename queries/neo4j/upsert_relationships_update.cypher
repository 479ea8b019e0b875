// Template: update relationships a probe found stored (or created earlier in the batch).
// Plans pinned as in upsert_relationships_probe.
UNWIND $rows AS row
MATCH (a:{src_label} {{uid: row.src}}) USING INDEX SEEK a:{src_label}(uid)
MATCH (b:{dst_label} {{uid: row.dst}}) USING INDEX SEEK b:{dst_label}(uid)
UNWIND [(a)-[r:{rel_type}]->(b) WHERE r.rid = row.rid | r] AS r
SET {on_match}
RETURN count(r) AS written
