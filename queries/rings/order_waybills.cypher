// Every order's waybill with its receiver address and phone, for brushing detection:
// read whole, as columns, and joined to rings/orders by order uid.
MATCH (o:`Order`)-[:SHIPPED_BY]->(w:Waybill)
OPTIONAL MATCH (w)-[:DELIVERED_TO]->(ad:Address)
OPTIONAL MATCH (w)-[:HAS_PHONE]->(ph:Phone)
RETURN o.uid AS order_uid, w.uid AS waybill, w.weight_kg AS weight_kg,
       w.shipped AS shipped, w.delivered AS delivered, ad.uid AS address, ph.uid AS phone
