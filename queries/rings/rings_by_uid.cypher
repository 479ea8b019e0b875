// Brushing rings by uid ($uids) with their review state.
MATCH (r:BrushingRing)
WHERE r.uid IN $uids
RETURN r.uid AS uid, r.status AS status
