// Stores by brushing score ($min_score and up), highest first, keyset-paged: rows after
// ($after_score, $after_uid) in (score DESC, uid) order, or from the top when $first.
MATCH (s:Store)
WHERE s.brushing_score IS NOT NULL AND s.brushing_score >= $min_score
  AND ($first OR s.brushing_score < $after_score
       OR (s.brushing_score = $after_score AND s.uid > $after_uid))
RETURN s.uid AS uid, s.name AS name, s.brushing_score AS score,
       s.brushing_reasons AS reasons, s.brushing_run AS run
ORDER BY score DESC, uid
LIMIT $limit
