// Every order's waybill with its receiver address and phone, for the orders whose offset
// in the Order table is in [$lo, $hi) (read a range at a time, like rings/orders).
MATCH (o:`Order`)-[:SHIPPED_BY]->(w:Waybill)
WHERE offset(id(o)) >= $lo AND offset(id(o)) < $hi
OPTIONAL MATCH (w)-[:DELIVERED_TO]->(ad:Address)
OPTIONAL MATCH (w)-[:HAS_PHONE]->(ph:Phone)
RETURN o.uid AS order_uid, w.uid AS waybill, w.weight_kg AS weight_kg,
       w.shipped AS shipped, w.delivered AS delivered, ad.uid AS address, ph.uid AS phone
