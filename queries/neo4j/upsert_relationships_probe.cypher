// Template: which positions of a relationship batch already have a relationship with
// their rid between their two ends. The bulk path creates the others and updates these.
// Plans are pinned: both ends by index seek (while a load runs, the planner's statistics
// can still say a label is empty, and a plan made then scans a label or index once per
// row), the relationship by a pattern comprehension between the two bound ends (expanded
// from the end with fewer relationships, never by scanning the rid index).
UNWIND range(0, size($rids) - 1) AS i
MATCH (a:{src_label} {{uid: $src[i]}}) USING INDEX SEEK a:{src_label}(uid)
MATCH (b:{dst_label} {{uid: $dst[i]}}) USING INDEX SEEK b:{dst_label}(uid)
WITH i, [(a)-[r:{rel_type}]->(b) WHERE r.rid = $rids[i] | 1] AS found
WHERE size(found) > 0
RETURN i
