// Template: set some properties on existing nodes of one label (batch as an Arrow table).
LOAD FROM $rows
MATCH (n:{label} {{uid: `uid`}})
SET {assignments}
RETURN count(n) AS written
