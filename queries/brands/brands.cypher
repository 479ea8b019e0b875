// Brands the caller may see ($see_all, or uid in $allowed), with owners, by uid, keyset-paged:
// uids after $after_uid ('' for the first page).
MATCH (b:Brand)
WHERE ($any_brand OR b.uid IN $brands) AND ($see_all OR b.uid IN $allowed)
  AND b.uid > $after_uid
OPTIONAL MATCH (o)-[:OWNS_BRAND]->(b)
RETURN b.uid AS uid, b.brand_id AS brand_id, b.name AS name, o.uid AS owner
ORDER BY uid
LIMIT $limit
