// The uids of every brushing ring whose status is in $statuses.
MATCH (r:BrushingRing)
WHERE r.status IN $statuses
RETURN r.uid AS uid
