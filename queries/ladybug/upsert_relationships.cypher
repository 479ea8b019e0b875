// Template: create or update relationships of one type between two labels, keyed by rid.
// Two MATCH clauses rather than one comma pattern: LadybugDB plans them as index lookups.
LOAD FROM $rows
MATCH (a:{src_label} {{uid: `src`}})
MATCH (b:{dst_label} {{uid: `dst`}})
MERGE (a)-[r:{rel_type} {{rid: `rid`}}]->(b)
ON CREATE SET {on_create}
ON MATCH SET {on_match}
RETURN count(r) AS written
