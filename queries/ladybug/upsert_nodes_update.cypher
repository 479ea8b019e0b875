// Template: update nodes whose uid the label holds (the probe said so): what MERGE's
// ON MATCH SET writes, through a primary-key lookup rather than MERGE's scan of the label.
LOAD FROM $rows
MATCH (n:{label} {{uid: `uid`}})
SET {on_match}
