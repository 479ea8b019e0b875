// People operating the stores $uids.
MATCH (p:Person)-[:OPERATES]->(s:Store)
WHERE s.uid IN $uids
RETURN s.uid AS store, p.uid AS operator
