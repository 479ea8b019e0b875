// Batched restriction writes not yet finished (state writing or committed).
MATCH (r:PropagationRun)
WHERE r.state IN ['writing', 'committed']
RETURN r.uid AS uid, r.state AS state, r.recorded_at AS recorded_at,
       r.first_seq AS first_seq, r.last_seq AS last_seq, r.heartbeat_at AS heartbeat_at
