// Links excluded from propagation by upheld objections (a few: one per objection).
MATCH (x:LinkExclusion)
RETURN x.uid AS uid, x.rid AS rid, x.rel_type AS rel_type, x.src_uid AS src_uid,
       x.dst_uid AS dst_uid, x.scope AS scope, x.scope_value AS scope_value,
       x.subject_uid AS subject_uid, x.listing_uid AS listing_uid, x.rule_id AS rule_id,
       x.objection_id AS objection_id, x.decided AS decided, x.recorded_at AS recorded_at
ORDER BY objection_id
