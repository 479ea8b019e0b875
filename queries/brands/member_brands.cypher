// The brands the alliance members $members act for now.
MATCH (m:AllianceMember)-[a:ACTS_FOR]->(b:Brand)
WHERE m.uid IN $members AND a.until IS NULL
RETURN m.uid AS member, b.uid AS brand
