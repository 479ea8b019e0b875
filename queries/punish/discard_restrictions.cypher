// Delete restriction versions of a run that never committed (no reader ever saw them).
MATCH (r:Restriction)
WHERE r.uid IN $uids
DETACH DELETE r
