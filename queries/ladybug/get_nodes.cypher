// Template: nodes of one label by uid.
// LadybugDB: `n.uid IN $uids` scans the whole label; UNWIND + a key equality looks each up.
UNWIND $uids AS u
MATCH (n:{label} {{uid: u}})
RETURN n
