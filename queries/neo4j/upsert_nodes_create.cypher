// Template: create nodes a probe found new (the uniqueness constraint still guards uid).
UNWIND $rows AS row
CREATE (n:{label} {{uid: row.uid}})
SET {on_create}
