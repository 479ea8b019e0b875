// Up to 10,000 nodes deleted with their relationships; the store repeats it until none is
// left (one transaction for a whole graph outgrows the server's transaction memory).
MATCH (n)
WITH n LIMIT 10000
DETACH DELETE n
RETURN count(*) AS deleted
