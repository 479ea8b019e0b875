// Template: nodes of one label by uid.
MATCH (n:{label})
WHERE n.uid IN $uids
RETURN n
