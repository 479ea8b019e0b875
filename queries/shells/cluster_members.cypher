// The member businesses of one shell cluster with their similarity.
MATCH (b:Business)-[m:MEMBER_OF]->(c:ShellCluster {uid: $uid})
RETURN b.uid AS uid, b.name AS name, b.uscc AS uscc, b.status AS status,
       b.established AS established, m.similarity AS similarity
