// The change feed: events after $since_seq up to $until_seq, oldest first, at most $limit.
MATCH (c:ChangeEvent)
WHERE c.seq > $since_seq AND c.seq <= $until_seq
RETURN c.seq AS seq, c.kind AS kind, c.subject_uid AS subject_uid, c.measure AS measure,
       c.list_type AS list_type, c.rule_id AS rule_id, c.listing_uid AS listing_uid,
       c.restriction_uid AS restriction_uid, c.valid_from AS valid_from,
       c.valid_to AS valid_to, c.reason AS reason, c.at AS at,
       c.objection_id AS objection_id
ORDER BY seq
LIMIT $limit
