// Brushing rings whose status is in $statuses, best score first, keyset-paged: rows after
// ($after_score, $after_uid) in (score DESC, uid) order, or from the top when $first.
MATCH (r:BrushingRing)
WHERE r.status IN $statuses
  AND ($first OR r.score < $after_score OR (r.score = $after_score AND r.uid > $after_uid))
RETURN r.uid AS uid, r.ring_id AS ring_id, r.score AS score, r.n_accounts AS n_accounts,
       r.n_stores AS n_stores, r.reasons AS reasons, r.status AS status,
       r.reviewed_by AS reviewed_by, r.review_reason AS review_reason,
       r.reviewed_at AS reviewed_at, r.violation_uid AS violation_uid,
       r.detection_run AS detection_run, r.first_seen AS first_seen
ORDER BY score DESC, uid
LIMIT $limit
