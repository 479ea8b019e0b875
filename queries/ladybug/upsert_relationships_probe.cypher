// Template: for each row of a relationship batch whose two ends exist, how many
// relationships with its rid already join them. Rows with a missing end are left out
// (MERGE would not write them either); rows with none are copied, the rest merged.
LOAD FROM $rows
MATCH (a:{src_label} {{uid: `src`}})
MATCH (b:{dst_label} {{uid: `dst`}})
OPTIONAL MATCH (a)-[r:{rel_type}]->(b)
WHERE r.rid = `rid`
RETURN `_i` AS i, count(r) AS existing
