// One page of the order graph for brushing detection, by order uid after $after (keyset
// pagination): the buyer, the store and, where known, the waybill with its receiver.
MATCH (o:`Order`)
WHERE o.uid > $after
WITH o ORDER BY o.uid LIMIT $limit
MATCH (a:Account)-[:PLACED]->(o)-[:AT_STORE]->(s:Store)
OPTIONAL MATCH (o)-[:SHIPPED_BY]->(w:Waybill)
OPTIONAL MATCH (w)-[:DELIVERED_TO]->(ad:Address)
OPTIONAL MATCH (w)-[:HAS_PHONE]->(ph:Phone)
RETURN o.uid AS order_uid, a.uid AS account, s.uid AS store, o.placed AS placed,
       w.uid AS waybill, w.weight_kg AS weight_kg, w.shipped AS shipped,
       w.delivered AS delivered, ad.uid AS address, ph.uid AS phone, o.rating AS rating,
       o.reviewed AS reviewed
ORDER BY order_uid
