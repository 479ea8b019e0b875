// Businesses with many relationships, for the demo to show a neighbourhood.
MATCH (b:Business)<-[r:SHAREHOLDER_OF|LEGAL_REPRESENTATIVE_OF]-()
RETURN b.uid AS uid, count(r) AS degree
ORDER BY degree DESC, uid
LIMIT $limit
