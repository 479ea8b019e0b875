// Infringement reports concerning the brands in scope, with status in $statuses, one page in
// (filed, uid) order, keyset-paged: rows after ($after_filed, $after_uid), or from the start
// when $first. Scope: $any_brand/$brands choose brands, $see_all/$allowed bound them.
MATCH (b:Brand)<-[:CONCERNS]-(r:InfringementReport)-[:REPORTS]->(s:Store)
WHERE ($any_brand OR b.uid IN $brands) AND ($see_all OR b.uid IN $allowed) AND r.status IN $statuses
  AND ($first OR r.filed > $after_filed OR (r.filed = $after_filed AND r.uid > $after_uid))
RETURN r.uid AS uid, r.report_id AS report_id, r.status AS status, r.complainant AS complainant,
       r.filed AS filed, r.evidence AS evidence, r.evidence_sha256 AS evidence_sha256,
       r.counter_notice AS counter_notice, r.decided AS decided, r.decided_by AS decided_by,
       r.decision_reason AS decision_reason, b.uid AS brand, b.name AS brand_name,
       s.uid AS store, s.name AS store_name, s.platform AS platform, s.status AS store_status,
       s.opened AS store_opened
ORDER BY filed, uid
LIMIT $limit
