// One page of shell clusters, highest score first ($status '' = any), keyset-paged: rows
// after ($after_score, $after_size, $after_uid) in (score DESC, size DESC, uid) order, or
// from the top when $first.
MATCH (c:ShellCluster)
WHERE ($status = '' OR c.status = $status) AND c.score >= $min_score AND c.size >= $min_size
  AND ($first OR c.score < $after_score
       OR (c.score = $after_score AND (c.size < $after_size
           OR (c.size = $after_size AND c.uid > $after_uid))))
RETURN c.uid AS uid, c.cluster_id AS cluster_id, c.score AS score, c.size AS size,
       c.reasons AS reasons, c.shared AS shared, c.status AS status,
       c.reviewed_by AS reviewed_by, c.review_reason AS review_reason,
       c.reviewed_at AS reviewed_at, c.detection_run AS detection_run
ORDER BY score DESC, size DESC, uid
LIMIT $limit
