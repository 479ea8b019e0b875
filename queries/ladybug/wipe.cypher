// Every node deleted with its relationships, in one statement (the store repeats a wipe
// until it deletes nothing).
MATCH (n) DETACH DELETE n
RETURN count(*) AS deleted
