// Restriction versions that have their DERIVED_FROM edge already.
MATCH (r:Restriction)-[:DERIVED_FROM]->(:Listing)
RETURN r.uid AS uid
