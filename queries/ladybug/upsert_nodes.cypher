// Template: create or update nodes of one label by uid. The batch arrives as an Arrow
// table (LOAD FROM is ~20x faster than UNWIND over a list of maps in LadybugDB).
LOAD FROM $rows
MERGE (n:{label} {{uid: `uid`}})
ON CREATE SET {on_create}
ON MATCH SET {on_match}
