// Report counts by status of every complainant who filed on a brand in scope. A
// complainant's reputation is its own record across all its reports (only the weight
// derived from it is shown to alliance members).
MATCH (b:Brand)<-[:CONCERNS]-(r:InfringementReport)
WHERE ($any_brand OR b.uid IN $brands) AND ($see_all OR b.uid IN $allowed)
WITH DISTINCT r.complainant AS complainant
MATCH (x:InfringementReport)
WHERE x.complainant = complainant
RETURN complainant, x.status AS status, count(*) AS n
ORDER BY complainant, status
