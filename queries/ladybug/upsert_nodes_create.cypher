// Template: create nodes whose uid the label does not hold yet (the probe said so), with
// every property. LadybugDB's MERGE reads the whole label (300 ms at 800k nodes); CREATE
// checks the primary key through its index.
LOAD FROM $rows
CREATE (n:{label} {{uid: `uid`}})
SET {on_create}
