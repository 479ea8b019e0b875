// Template: delete relationships of one type by rid.
MATCH ()-[r:{rel_type}]->()
WHERE r.rid IN $rids
DELETE r
