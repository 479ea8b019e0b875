// Operators (businesses, people) of the stores reported for brands in scope.
MATCH (b:Brand)<-[:CONCERNS]-(r:InfringementReport)-[:REPORTS]->(s:Store)
WHERE ($any_brand OR b.uid IN $brands) AND ($see_all OR b.uid IN $allowed) AND r.status IN $statuses
WITH DISTINCT s
MATCH (s)<-[:OPERATES]-(o)
RETURN s.uid AS seed, o.uid AS operator, o.name AS operator_name
