// Shell clusters (not dismissed) of businesses operating stores reported for brands in scope.
MATCH (b:Brand)<-[:CONCERNS]-(r:InfringementReport)-[:REPORTS]->(s:Store)
WHERE ($any_brand OR b.uid IN $brands) AND ($see_all OR b.uid IN $allowed) AND r.status IN $statuses
WITH DISTINCT s
MATCH (s)<-[:OPERATES]-(o:Business)-[:MEMBER_OF]->(c:ShellCluster)
WHERE c.status <> 'dismissed'
RETURN s.uid AS seed, o.uid AS business, c.uid AS cluster, c.status AS cluster_status,
       c.score AS cluster_score
