// Template: how many nodes one label holds.
MATCH (n:{label})
RETURN count(n) AS n
