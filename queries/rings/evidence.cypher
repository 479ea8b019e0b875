// Orders by uid ($uids) with buyer, store, waybill and receiver, for a ring's evidence.
MATCH (a:Account)-[:PLACED]->(o:`Order`)-[:AT_STORE]->(s:Store)
WHERE o.uid IN $uids
OPTIONAL MATCH (o)-[:SHIPPED_BY]->(w:Waybill)
OPTIONAL MATCH (w)-[:DELIVERED_TO]->(ad:Address)
OPTIONAL MATCH (w)-[:HAS_PHONE]->(ph:Phone)
RETURN o.uid AS order_uid, a.uid AS account, s.uid AS store, o.placed AS placed,
       o.amount AS amount, w.uid AS waybill, w.weight_kg AS weight_kg,
       w.shipped AS shipped, w.delivered AS delivered, ad.uid AS address,
       ad.text AS address_text, ph.uid AS phone, ph.number AS phone_number
ORDER BY order_uid
