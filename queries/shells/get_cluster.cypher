// One shell cluster by uid.
MATCH (c:ShellCluster {uid: $uid})
RETURN c.uid AS uid, c.cluster_id AS cluster_id, c.score AS score, c.size AS size,
       c.reasons AS reasons, c.shared AS shared, c.status AS status,
       c.reviewed_by AS reviewed_by, c.review_reason AS review_reason,
       c.reviewed_at AS reviewed_at, c.detection_run AS detection_run
