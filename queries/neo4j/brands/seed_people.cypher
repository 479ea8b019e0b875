// People behind (legal representative, actual controller) the businesses operating stores
// reported for brands in scope.
MATCH (b:Brand)<-[:CONCERNS]-(r:InfringementReport)-[:REPORTS]->(s:Store)
WHERE ($any_brand OR b.uid IN $brands) AND ($see_all OR b.uid IN $allowed) AND r.status IN $statuses
WITH DISTINCT s
MATCH (s)<-[:OPERATES]-(o:Business)<-[k:LEGAL_REPRESENTATIVE_OF|ACTUAL_CONTROLLER_OF]-(p:Person)
RETURN s.uid AS seed, o.uid AS business, p.uid AS person, p.name AS person_name,
       type(k) AS role, k.until AS until
