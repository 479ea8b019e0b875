// Template: relationships entering nodes of one label.
MATCH (a:{label})<-[r{types}]-(b)
WHERE a.uid IN $uids
RETURN b.uid AS src, a.uid AS dst, r AS rel
LIMIT $limit
