// Whether the feed already has events of one kind about an objection (a decision's
// closing events are written once, even when a recovery repeats the decision).
MATCH (c:ChangeEvent)
WHERE c.objection_id = $objection_id AND c.kind = $kind
RETURN c.seq AS seq
LIMIT 1
