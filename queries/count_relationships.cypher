// Template: how many relationships one type holds.
MATCH ()-[r:{rel_type}]->()
RETURN count(r) AS n
