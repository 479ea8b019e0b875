// Template: nodes of one label whose name contains the text, or whose uid is the text.
MATCH (n:{label})
WHERE n.uid = $text OR n.name CONTAINS $text
RETURN n
ORDER BY n.name
LIMIT $limit
