// Listings on the entities $uids, with the fields the joint-punishment engine reads.
MATCH (l:Listing)
WHERE l.subject_uid IN $uids
RETURN l.uid AS uid, l.subject_uid AS subject_uid, l.list_type AS list_type,
       l.decided AS decided, l.expires AS expires, l.removed AS removed,
       l.removal_reason AS removal_reason, l.legal_basis AS legal_basis
