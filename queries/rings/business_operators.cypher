// Businesses operating the stores $uids.
MATCH (b:Business)-[:OPERATES]->(s:Store)
WHERE s.uid IN $uids
RETURN s.uid AS store, b.uid AS operator
