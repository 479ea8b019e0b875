// Template: every relationship of one type, as uid pairs with the requested properties.
MATCH (a)-[r:{rel_type}]->(b)
RETURN a.uid AS src, b.uid AS dst, r.rid AS rid{props}
