// Listings by uid ($uids), with the fields the joint-punishment engine reads.
// LadybugDB: `l.uid IN $uids` scans every listing; UNWIND + a key equality looks each up.
UNWIND $uids AS u
MATCH (l:Listing {uid: u})
RETURN l.uid AS uid, l.subject_uid AS subject_uid, l.list_type AS list_type,
       l.decided AS decided, l.expires AS expires, l.removed AS removed,
       l.removal_reason AS removal_reason, l.legal_basis AS legal_basis
