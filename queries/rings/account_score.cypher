// The brushing scores of the accounts $uids.
MATCH (a:Account)
WHERE a.uid IN $uids
RETURN a.uid AS uid, a.account_id AS name, a.brushing_score AS score,
       a.brushing_reasons AS reasons, a.brushing_run AS run
ORDER BY uid
