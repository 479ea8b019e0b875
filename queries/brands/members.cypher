// Alliance members and the brands they act for, limited to brands in scope.
MATCH (m:AllianceMember)-[a:ACTS_FOR]->(b:Brand)
WHERE ($any_brand OR b.uid IN $brands) AND ($see_all OR b.uid IN $allowed)
RETURN m.uid AS uid, m.name AS name, m.kind AS kind, m.joined AS joined, b.uid AS brand,
       a.role AS role, a.until AS until
ORDER BY uid, brand
