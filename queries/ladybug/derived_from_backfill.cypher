// Every restriction version with the uid of the listing it was derived from (to give the
// versions written before DERIVED_FROM existed their edge).
MATCH (r:Restriction)
RETURN r.uid AS uid, r.listing_uid AS listing
