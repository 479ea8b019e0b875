// Businesses holding licences, with their registered names, for the demo's identity check.
MATCH (b:Business)-[:HOLDS_LICENCE]->(l:Licence)
WHERE b.name IS NOT NULL AND b.status = 'active'
RETURN b.uid AS uid, b.name AS name, collect(l.licence_type) AS types
ORDER BY size(types) DESC, uid
LIMIT $limit
