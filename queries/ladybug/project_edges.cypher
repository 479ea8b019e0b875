// Template: the relationships of one type whose source node's offset in its table is in
// [$lo, $hi), as uid pairs with the requested columns (the rid among them when asked
// for). LadybugDB holds a query's whole result in its buffer pool: a projection reads a
// type a range of nodes at a time.
MATCH (a)-[r:{rel_type}]->(b)
WHERE offset(id(a)) >= $lo AND offset(id(a)) < $hi
RETURN a.uid AS src, b.uid AS dst{props}
