// Up to $limit change-feed events still marked as written by run $run.
MATCH (c:ChangeEvent)
WHERE c.run_uid = $run
RETURN c.uid AS uid
LIMIT $limit
