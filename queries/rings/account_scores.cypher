// Accounts by brushing score, highest first, one page ($min_score and up).
MATCH (a:Account)
WHERE a.brushing_score IS NOT NULL AND a.brushing_score >= $min_score
RETURN a.uid AS uid, a.account_id AS name, a.brushing_score AS score,
       a.brushing_reasons AS reasons, a.brushing_run AS run
ORDER BY score DESC, uid
SKIP $skip
LIMIT $limit
