// Up to $limit restriction versions still marked as superseded by run $run.
MATCH (r:Restriction)
WHERE r.superseded_by = $run
RETURN r.uid AS uid
LIMIT $limit
