// Up to $limit restriction versions still marked as written by run $run.
MATCH (r:Restriction)
WHERE r.run_uid = $run
RETURN r.uid AS uid
LIMIT $limit
