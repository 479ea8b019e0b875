// The highest change-feed sequence number so far (null when the feed is empty).
MATCH (c:ChangeEvent)
RETURN max(c.seq) AS seq
