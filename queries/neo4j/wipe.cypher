// Up to 10,000 relationships deleted, or, once none is left, up to 10,000 nodes; the store
// repeats it until nothing is left. One transaction for a whole graph outgrows the server's
// transaction memory (dbms.memory.transaction.total.max), and so does a DETACH DELETE of
// nodes that hold hundreds of thousands of relationships between them.
CALL () {
  MATCH ()-[r]->()
  WITH r LIMIT 10000
  DELETE r
  RETURN count(*) AS relationships
}
CALL (relationships) {
  MATCH (n)
  WHERE relationships = 0
  WITH n LIMIT 10000
  DELETE n
  RETURN count(*) AS nodes
}
RETURN relationships + nodes AS deleted
