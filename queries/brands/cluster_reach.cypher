// Every store run by a business in the same (not dismissed) shell cluster as an operator of
// a store reported for a brand in scope.
MATCH (b:Brand)<-[:CONCERNS]-(r:InfringementReport)-[:REPORTS]->(s:Store)
WHERE ($any_brand OR b.uid IN $brands) AND ($see_all OR b.uid IN $allowed) AND r.status IN $statuses
WITH DISTINCT s
MATCH (s)<-[:OPERATES]-(:Business)-[:MEMBER_OF]->(c:ShellCluster)
WHERE c.status <> 'dismissed'
WITH DISTINCT c
MATCH (c)<-[:MEMBER_OF]-(o2:Business)-[:OPERATES]->(t:Store)
RETURN DISTINCT c.uid AS actor, o2.uid AS business, t.uid AS store, t.name AS name,
       t.platform AS platform, t.status AS status, t.opened AS opened
