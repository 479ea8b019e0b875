// Template: every node of one label with the requested properties.
MATCH (n:{label})
RETURN n.uid AS uid{props}
