// The member accounts of the ring $uid.
MATCH (a:Account)-[m:MEMBER_OF]->(r:BrushingRing {uid: $uid})
RETURN a.uid AS uid, m.role AS role
ORDER BY uid
