// Brands the caller may see ($see_all, or uid in $allowed), with owners, one page by uid.
MATCH (b:Brand)
WHERE ($any_brand OR b.uid IN $brands) AND ($see_all OR b.uid IN $allowed)
OPTIONAL MATCH (o)-[:OWNS_BRAND]->(b)
RETURN b.uid AS uid, b.brand_id AS brand_id, b.name AS name, o.uid AS owner
ORDER BY uid
SKIP $skip LIMIT $limit
