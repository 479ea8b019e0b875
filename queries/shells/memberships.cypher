// Every business's MEMBER_OF edge into a shell cluster.
MATCH (b:Business)-[m:MEMBER_OF]->(c:ShellCluster)
RETURN b.uid AS business, c.uid AS cluster, m.rid AS rid
