// Every order with its buyer and store whose offset in the Order table is in [$lo, $hi):
// LadybugDB holds a result in its buffer pool, so the store reads the orders a range at
// a time (GraphStore.query_table with pages_over="Order").
MATCH (a:Account)-[:PLACED]->(o:`Order`)-[:AT_STORE]->(s:Store)
WHERE offset(id(o)) >= $lo AND offset(id(o)) < $hi
RETURN o.uid AS order_uid, a.uid AS account, s.uid AS store, o.placed AS placed,
       o.rating AS rating, o.reviewed AS reviewed
