// Template: relationships leaving nodes of one label.
MATCH (a:{label})-[r{types}]->(b)
WHERE a.uid IN $uids
RETURN a.uid AS src, b.uid AS dst, r AS rel
LIMIT $limit
