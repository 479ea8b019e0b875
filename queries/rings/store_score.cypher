// The brushing scores of the stores $uids.
MATCH (s:Store)
WHERE s.uid IN $uids
RETURN s.uid AS uid, s.name AS name, s.brushing_score AS score,
       s.brushing_reasons AS reasons, s.brushing_run AS run
ORDER BY uid
