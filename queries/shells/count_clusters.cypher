// How many clusters a list_clusters call pages through ($status '' = any).
MATCH (c:ShellCluster)
WHERE ($status = '' OR c.status = $status) AND c.score >= $min_score AND c.size >= $min_size
RETURN count(c) AS n
