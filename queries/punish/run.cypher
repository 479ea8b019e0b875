// One batched restriction write by uid.
MATCH (r:PropagationRun)
WHERE r.uid = $uid
RETURN r.uid AS uid, r.state AS state, r.mode AS mode, r.recorded_at AS recorded_at,
       r.first_seq AS first_seq, r.last_seq AS last_seq, r.rows AS rows,
       r.heartbeat_at AS heartbeat_at, r.committed_at AS committed_at,
       r.finished_at AS finished_at
