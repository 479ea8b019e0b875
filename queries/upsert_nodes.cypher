// Template: create or update nodes of one label by uid. Slots come from graph.schema.
UNWIND $rows AS row
MERGE (n:{label} {{uid: row.uid}})
ON CREATE SET {on_create}
ON MATCH SET {on_match}
