// Template: nodes of one label whose listed properties equal the given values.
MATCH (n:{label})
WHERE {conditions}
RETURN n
LIMIT $limit
