// The stores the ring $uid boosts.
MATCH (s:Store)-[m:MEMBER_OF]->(r:BrushingRing {uid: $uid})
RETURN s.uid AS uid, s.name AS name, m.role AS role
ORDER BY uid
