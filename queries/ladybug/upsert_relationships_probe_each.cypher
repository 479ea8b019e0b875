// Template: the relationship probe for a small batch given as a list of maps: for each row
// whose two ends exist, how many relationships with its rid already join them. UNWIND, not
// LOAD FROM: an Arrow scan joined with a relationship pattern keeps buffer-pool memory.
UNWIND $rows AS row
MATCH (a:{src_label} {{uid: row.src}})
MATCH (b:{dst_label} {{uid: row.dst}})
OPTIONAL MATCH (a)-[r:{rel_type}]->(b)
WHERE r.rid = row.rid
RETURN row._i AS i, count(r) AS existing
