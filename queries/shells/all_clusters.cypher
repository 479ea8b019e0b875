// Every stored shell cluster with the fields a detection run carries over (review, first_seen).
MATCH (c:ShellCluster)
RETURN c.uid AS uid, c.status AS status, c.reviewed_by AS reviewed_by,
       c.review_reason AS review_reason, c.reviewed_at AS reviewed_at,
       c.first_seen AS first_seen
