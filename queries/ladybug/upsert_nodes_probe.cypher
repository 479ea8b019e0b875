// Template: which rows of a node batch name a uid the label already holds. The bulk path
// copies the others and merges these.
LOAD FROM $rows
MATCH (n:{label} {{uid: `uid`}})
RETURN `_i` AS i
