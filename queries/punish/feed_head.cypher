// The change feed's head (FeedHead, one node): the highest seq committed. A key lookup;
// punish/last_change_seq scans the feed and is only the fallback for a store without one.
MATCH (h:FeedHead {uid: $uid})
RETURN h.seq AS seq
