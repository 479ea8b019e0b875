// Every store run by an operator of a store reported for a brand in scope.
MATCH (b:Brand)<-[:CONCERNS]-(r:InfringementReport)-[:REPORTS]->(s:Store)
WHERE ($any_brand OR b.uid IN $brands) AND ($see_all OR b.uid IN $allowed) AND r.status IN $statuses
WITH DISTINCT s
MATCH (s)<-[:OPERATES]-(o)
WITH DISTINCT o
MATCH (o)-[:OPERATES]->(t:Store)
RETURN DISTINCT o.uid AS actor, t.uid AS store, t.name AS name, t.platform AS platform,
       t.status AS status, t.opened AS opened
