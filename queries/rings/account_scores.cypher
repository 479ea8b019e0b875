// Accounts by brushing score ($min_score and up), highest first, keyset-paged: rows after
// ($after_score, $after_uid) in (score DESC, uid) order, or from the top when $first.
MATCH (a:Account)
WHERE a.brushing_score IS NOT NULL AND a.brushing_score >= $min_score
  AND ($first OR a.brushing_score < $after_score
       OR (a.brushing_score = $after_score AND a.uid > $after_uid))
RETURN a.uid AS uid, a.account_id AS name, a.brushing_score AS score,
       a.brushing_reasons AS reasons, a.brushing_run AS run
ORDER BY score DESC, uid
LIMIT $limit
