// Stores by brushing score, highest first, one page ($min_score and up).
MATCH (s:Store)
WHERE s.brushing_score IS NOT NULL AND s.brushing_score >= $min_score
RETURN s.uid AS uid, s.name AS name, s.brushing_score AS score,
       s.brushing_reasons AS reasons, s.brushing_run AS run
ORDER BY score DESC, uid
SKIP $skip
LIMIT $limit
