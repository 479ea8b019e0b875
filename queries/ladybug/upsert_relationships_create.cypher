// Template: create relationships the probe found absent between two ends that exist, with
// every property. LadybugDB's MERGE on a relationship reads far more than the two ends.
LOAD FROM $rows
MATCH (a:{src_label} {{uid: `src`}})
MATCH (b:{dst_label} {{uid: `dst`}})
CREATE (a)-[r:{rel_type} {{rid: `rid`}}]->(b)
SET {on_create}
RETURN count(r) AS written
