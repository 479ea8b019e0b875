// Template: every relationship of one type, as uid pairs with the requested
// columns (the rid among them when asked for).
MATCH (a)-[r:{rel_type}]->(b)
RETURN a.uid AS src, b.uid AS dst{props}
