// People restricted today through a path (not listed themselves), for the demo to explain:
// the case joint punishment is about (a listed business's legal representative, ...).
MATCH (r:Restriction)-[:RESTRICTS]->(s:Person)
WHERE r.superseded_at IS NULL AND r.subject_uid <> r.listed_uid
  AND r.valid_from <= $today AND (r.valid_to IS NULL OR r.valid_to > $today)
RETURN DISTINCT s.uid AS uid, r.list_type AS list_type, r.path_count AS path_count
ORDER BY path_count DESC, uid
LIMIT $limit
