// Current (not superseded) restriction versions derived from the listings $uids.
// LadybugDB, once per listing ($uid; see GraphStore.query_by_uids): `r.listing_uid IN $uids`
// reads every restriction, the DERIVED_FROM edges of one listing only its own.
MATCH (l:Listing {uid: $uid})<-[:DERIVED_FROM]-(r:Restriction)
WHERE r.superseded_at IS NULL
RETURN r.uid AS uid, r.record_key AS record_key, r.subject_uid AS subject_uid, r.measure AS measure,
       r.measure_name_zh AS measure_name_zh, r.measure_name_en AS measure_name_en,
       r.list_type AS list_type, r.rule_id AS rule_id, r.listing_uid AS listing_uid,
       r.listed_uid AS listed_uid, r.listing_fp AS listing_fp, r.valid_from AS valid_from,
       r.valid_to AS valid_to, r.recorded_at AS recorded_at, r.superseded_at AS superseded_at,
       r.legal_basis AS legal_basis, r.paths AS paths, r.path_count AS path_count,
       r.rules_version AS rules_version, r.run_uid AS run_uid, r.superseded_by AS superseded_by
