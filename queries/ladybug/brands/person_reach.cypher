// Every store the people behind reported stores run: through the businesses they represent
// or control, or in their own name. People behind = legal representatives and actual
// controllers of operating businesses, and operating people themselves.
MATCH (b:Brand)<-[:CONCERNS]-(r:InfringementReport)-[:REPORTS]->(s:Store)
WHERE ($any_brand OR b.uid IN $brands) AND ($see_all OR b.uid IN $allowed) AND r.status IN $statuses
WITH DISTINCT s
MATCH (s)<-[:OPERATES]-(:Business)<-[:LEGAL_REPRESENTATIVE_OF|ACTUAL_CONTROLLER_OF]-(p:Person)
WITH DISTINCT p
MATCH (p)-[k:LEGAL_REPRESENTATIVE_OF|ACTUAL_CONTROLLER_OF]->(o2:Business)-[:OPERATES]->(t:Store)
RETURN p.uid AS actor, o2.uid AS business, label(k) AS role, t.uid AS store, t.name AS name, t.platform AS platform, t.status AS status, t.opened AS opened
UNION ALL
MATCH (b:Brand)<-[:CONCERNS]-(r:InfringementReport)-[:REPORTS]->(s:Store)
WHERE ($any_brand OR b.uid IN $brands) AND ($see_all OR b.uid IN $allowed) AND r.status IN $statuses
WITH DISTINCT s
MATCH (s)<-[:OPERATES]-(:Business)<-[:LEGAL_REPRESENTATIVE_OF|ACTUAL_CONTROLLER_OF]-(p:Person)
WITH DISTINCT p
MATCH (p)-[:OPERATES]->(t:Store)
RETURN p.uid AS actor, '' AS business, 'OPERATES' AS role, t.uid AS store, t.name AS name, t.platform AS platform, t.status AS status, t.opened AS opened
UNION ALL
MATCH (b:Brand)<-[:CONCERNS]-(r:InfringementReport)-[:REPORTS]->(s:Store)
WHERE ($any_brand OR b.uid IN $brands) AND ($see_all OR b.uid IN $allowed) AND r.status IN $statuses
WITH DISTINCT s
MATCH (s)<-[:OPERATES]-(p:Person)
WITH DISTINCT p
MATCH (p)-[k:LEGAL_REPRESENTATIVE_OF|ACTUAL_CONTROLLER_OF]->(o2:Business)-[:OPERATES]->(t:Store)
RETURN p.uid AS actor, o2.uid AS business, label(k) AS role, t.uid AS store, t.name AS name, t.platform AS platform, t.status AS status, t.opened AS opened
