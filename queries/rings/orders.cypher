// Every order with its buyer and store, for brushing detection: read whole, as columns
// (one scan of each relationship table; a page per join rescanned them every page).
MATCH (a:Account)-[:PLACED]->(o:`Order`)-[:AT_STORE]->(s:Store)
RETURN o.uid AS order_uid, a.uid AS account, s.uid AS store, o.placed AS placed,
       o.rating AS rating, o.reviewed AS reviewed
