// Template: set some properties on existing nodes of one label.
UNWIND $rows AS row
MATCH (n:{label} {{uid: row.uid}})
SET {assignments}
RETURN count(n) AS written
